/**
 * The one command sequence of the slot loops (book sync, gap repair, role subscription): wait out a
 * read pause, take a token from the pool-wide command limiter, check the generation is still open, send,
 * and classify what happened. Counting is not done here: {@link TimedCommands} counts every command in
 * the same place it emits the `command` event, so `stats().commands` cannot drift from those events.
 * @internal
 */
import { CommandTimeoutError } from '../errors';
import type { Clock } from '../ports/clock';
import type { LiveConnection, OrderbookHost } from './live-connection';
import { isEndOfGeneration } from './live-connection';
import type { BackoffOptions } from '../internal/backoff';
import { abortableWait, backoffDelay } from '../internal/backoff';
import type { ResolvedManagerOptions } from './manager-options';
import { commandBackoff } from './pool-context';
import type { RateLimiter } from './rate-limiter';
import type { CommandClient } from './timed-commands';

/** What a {@link CommandRunner} needs from its pool. @internal */
export interface CommandRunnerPorts {
  readonly clock: Clock;
  /** Pool-wide command limiter. */
  readonly commands: Pick<RateLimiter, 'acquire' | 'holdFor'>;
  /** Grows by one each time reads pause. */
  readonly pauseEpoch: number;
  /** True when reads are paused now or paused since `epoch`. */
  pausedSince(epoch: number): boolean;
  /** Resolves when socket reads are not paused; rejects on abort. */
  whenResumed(signal: AbortSignal): Promise<void>;
  /** Backoff of command retries. */
  readonly backoff: BackoffOptions;
}

/** How one command ended. @internal */
export type CommandResult<T> =
  | { readonly kind: 'ok'; readonly value: T }
  /** The generation ended (abort, close, or no longer open before sending): nothing to report. */
  | { readonly kind: 'ended' }
  /** Timed out while reads were paused: the reply could not be seen, so send it again. */
  | { readonly kind: 'paused'; readonly error: CommandTimeoutError }
  | { readonly kind: 'failed'; readonly error: unknown };

/** Options of one {@link CommandRunner.run}. @internal */
export interface RunOptions {
  /** Wait for socket reads to resume before taking a token. @default true */
  readonly awaitResume?: boolean;
  /** Checked after the token: false ends the run as `ended` without sending (e.g. the sid changed). */
  readonly stillWanted?: () => boolean;
}

/** Runs the commands of one slot, generation by generation. @internal */
export class CommandRunner {
  constructor(
    private readonly ports: CommandRunnerPorts,
    private readonly host: Pick<OrderbookHost, 'isLive'>,
  ) {}

  /** Sends one command on `conn` and says how it ended; never throws. */
  async run<T>(conn: LiveConnection, send: (client: CommandClient, signal: AbortSignal) => Promise<T>, options: RunOptions = {}): Promise<CommandResult<T>> {
    const { ports } = this;
    let epoch = ports.pauseEpoch;
    try {
      if (options.awaitResume !== false) {
        await ports.whenResumed(conn.signal);
        epoch = ports.pauseEpoch;
      }
      await ports.commands.acquire(conn.signal);
    } catch {
      return { kind: 'ended' };
    }
    if (!this.host.isLive(conn.generation) || options.stillWanted?.() === false) return { kind: 'ended' };
    try {
      return { kind: 'ok', value: await send(conn.client, conn.signal) };
    } catch (error) {
      if (isEndOfGeneration(error, conn.generation, this.host)) return { kind: 'ended' };
      if (error instanceof CommandTimeoutError && ports.pausedSince(epoch)) return { kind: 'paused', error };
      return { kind: 'failed', error };
    }
  }

  /** Delay of failure number `failures` (1-based) on the command backoff. */
  delay(failures: number): number {
    return backoffDelay(failures, this.ports.backoff);
  }

  /** Waits the backoff of failure number `failures`. @returns false when the generation ended meanwhile. */
  async backOff(conn: LiveConnection, failures: number): Promise<boolean> {
    return this.pause(conn, this.delay(failures));
  }

  /** Waits `ms` on the pool clock. @returns false when the generation ended meanwhile. */
  async pause(conn: LiveConnection, ms: number): Promise<boolean> {
    try {
      await abortableWait(this.ports.clock, ms, conn.signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Holds every command of the pool for `ms` (rate limited by the server). */
  holdAll(ms: number): void {
    this.ports.commands.holdFor(ms);
  }
}

/** What {@link commandRunnerPorts} reads of the pool. @internal */
export interface CommandRunnerPool extends Omit<CommandRunnerPorts, 'backoff'> {
  /** The command backoff derives from `reconnect` ({@link commandBackoff}). */
  readonly options: Pick<ResolvedManagerOptions, 'reconnect'>;
}

/** The runner ports of a pool: a live view (pause state changes over time). @internal */
export function commandRunnerPorts(ctx: CommandRunnerPool): CommandRunnerPorts {
  return {
    clock: ctx.clock,
    commands: ctx.commands,
    get pauseEpoch() {
      return ctx.pauseEpoch;
    },
    pausedSince: (epoch) => ctx.pausedSince(epoch),
    whenResumed: (signal) => ctx.whenResumed(signal),
    backoff: commandBackoff(ctx.options),
  };
}
