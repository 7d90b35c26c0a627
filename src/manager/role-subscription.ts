/**
 * The global subscription of a ticker / trade / lifecycle slot: `subscribe([channel])` without markets,
 * retried with backoff until it holds, and redone after error 10/25 (unsubscribing the lost sid first).
 * @internal
 */
import { ProtocolError } from '../errors';
import type { Logger } from '../ports/logger';
import type { ChannelName } from '../protocol/kalshi/channels';
import type { LiveConnection } from './live-connection';
import type { CommandRunner } from './command-runner';
import type { CommandClient } from './timed-commands';
import type { EmitEvent } from './pool-context';

/** What a {@link RoleSubscription} sees of its slot. @internal */
export interface RoleHost {
  /** Whether `generation` is still the open one. */
  isLive(generation: number): boolean;
  /** A subscribe reply gave `sid`: false when the sid was lost already (error 10/25 before the reply settled). */
  adopted(sid: number): boolean;
}

/** What a {@link RoleSubscription} needs from its pool: where to report a subscribe that keeps failing. @internal */
export interface RoleSubscriptionPorts {
  readonly logger: Pick<Logger, 'warn'>;
  /** Emits `error` (non-fatal) on the third failure in a row. */
  readonly emit: EmitEvent;
}

/** The command sequence it sends through (the slot's {@link CommandRunner}). @internal */
export type RoleCommands = Pick<CommandRunner, 'run' | 'backOff'>;

/** One global channel subscription per connection generation. @internal */
export class RoleSubscription {
  #sid: number | undefined;
  #running = false;

  constructor(
    private readonly connectionId: number,
    private readonly channel: ChannelName,
    private readonly host: RoleHost,
    private readonly ctx: RoleSubscriptionPorts,
    private readonly runner: RoleCommands,
  ) {}

  /** The sid held now. */
  get sid(): number | undefined {
    return this.#sid;
  }

  /** New generation: nothing held. */
  reset(): void {
    this.#sid = undefined;
  }

  /** `sid` was lost (error 10/25): subscribe again on `live`, unsubscribing it first. */
  lost(sid: number, live: LiveConnection): void {
    if (sid !== this.#sid) return;
    this.#sid = undefined;
    void this.subscribe(live, sid);
  }

  /**
   * One subscribe; resolves with the granted sid. The Client port promises one result per channel: a client
   * that breaks it fails the command (backed off, retried, reported on the third failure) instead of
   * subscribing again at once.
   */
  async #send(client: CommandClient, signal: AbortSignal): Promise<number> {
    const results = await client.subscribe([this.channel], undefined, { signal });
    const sid = results[0]?.sid;
    if (sid === undefined) {
      throw new ProtocolError('malformed-reply', `subscribe to ${this.channel} returned no result (a Client returns one per channel)`, {
        connectionId: this.connectionId,
      });
    }
    return sid;
  }

  /** Subscribe the channel until it holds or the generation ends. One run at a time. */
  async subscribe(live: LiveConnection, unsubscribeFirst?: number): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const { ctx, runner } = this;
    const { generation } = live;
    let failures = 0;
    let unsubscribe = unsubscribeFirst;
    try {
      while (this.host.isLive(generation) && this.#sid === undefined) {
        // A command sent while reads are paused cannot see its reply: the runner waits for the consumer first.
        if (unsubscribe !== undefined) {
          const sid = unsubscribe;
          unsubscribe = undefined;
          const result = await runner.run(live, (client, signal) => client.unsubscribe([sid], { signal }));
          if (result.kind === 'ended') return;
          continue;
        }
        const result = await runner.run(live, (client, signal) => this.#send(client, signal));
        if (result.kind === 'ended') return;
        // A timeout while reads were paused is the consumer's slowness, not a failure: just send again.
        if (result.kind === 'paused') continue;
        if (result.kind === 'ok') {
          const sid = result.value;
          if (!this.host.isLive(generation)) return;
          // Error 10/25 on the new sid before this reply settled: the slot could not tell us then.
          if (!this.host.adopted(sid)) unsubscribe = sid;
          else this.#sid = sid;
          continue;
        }
        failures++;
        ctx.logger.warn({ connectionId: this.connectionId, channel: this.channel, err: result.error }, 'role subscribe failed; retrying');
        if (failures === 3) ctx.emit('error', { connectionId: this.connectionId, error: result.error as Error, fatal: false });
        if (!(await runner.backOff(live, failures))) return;
      }
    } catch {
      // the backoff wait was aborted: the generation ended
    } finally {
      this.#running = false;
    }
  }
}
