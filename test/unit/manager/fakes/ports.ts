/**
 * Small hand-written fakes of the manager's ports, shared by the per-collaborator unit tests
 * (book-sync, repair, market-placer, timed-commands, command-runner): no manager, no sockets.
 */
import { ClosedError, CommandRejectedError } from 'kalshi-ws-pool';
import type { CommandOptions, SubscribeOptions, SubscribeResult, SubscriptionInfo, UnsubscribeResult, UpdateResult } from '../../../../src/client/client';
import type { CommandRunnerPorts } from '../../../../src/manager/command-runner';
import type { LiveConnection, OrderbookHost } from '../../../../src/manager/live-connection';
import type { ConnectionManagerEvents } from '../../../../src/manager/manager-events';
import type { EmitEvent } from '../../../../src/manager/pool-context';
import { SlotBook } from '../../../../src/manager/slot-book';
import { SnapshotWatch } from '../../../../src/manager/snapshot-watch';
import type { CommandClient } from '../../../../src/manager/timed-commands';
import type { Clock, TimerHandle } from '../../../../src/ports/clock';
import type { LogFields, Logger } from '../../../../src/ports/logger';
import { classifyKalshiError } from '../../../../src/protocol/kalshi/error-codes';
import type { ChannelName, UpdateAction } from '../../../../src/protocol/kalshi/channels';

/**
 * A clock the test moves by hand (`advance`), or, with `auto`, one that fires every timer on the next
 * macrotask and moves `now` to its due time. Either way `delays` records every requested delay.
 */
export class ManualClock implements Clock {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; fn: () => void; real?: ReturnType<typeof setTimeout> }>();
  readonly delays: number[] = [];

  constructor(private readonly auto = false) {}

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.delays.push(ms);
    const timer: { at: number; fn: () => void; real?: ReturnType<typeof setTimeout> } = { at: this.#now + ms, fn };
    if (this.auto) {
      timer.real = setTimeout(() => {
        this.#timers.delete(id);
        this.#now = Math.max(this.#now, timer.at);
        fn();
      }, 0);
    }
    this.#timers.set(id, timer);
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.#timers.get(handle as number);
    if (timer?.real !== undefined) clearTimeout(timer.real);
    this.#timers.delete(handle as number);
  }

  /** Timers not fired nor cleared yet. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Move time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= target && (due === undefined || entry[1].at < due[1].at)) due = entry;
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].fn();
    }
    this.#now = target;
  }
}

/** The pool-wide command limiter: counts tokens and holds; `gate()` makes tokens wait for `grant()`. */
export class FakeLimiter {
  tokens = 0;
  readonly holds: number[] = [];
  #gated = false;
  #waiters: (() => void)[] = [];

  /** From now on every token waits for {@link grant}. */
  gate(): void {
    this.#gated = true;
  }

  /** Hand out every waiting token and stop gating. */
  grant(): void {
    this.#gated = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.#waiters.length;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(new ClosedError('limiter: aborted'));
    if (!this.#gated) {
      this.tokens++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== grant);
        reject(new ClosedError('limiter: aborted'));
      };
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.tokens++;
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(grant);
    });
  }

  holdFor(ms: number): void {
    this.holds.push(ms);
  }
}

/** Read backpressure: `pause()` / `resume()` move the epoch and wake waiters, like the pool's gate. */
export class FakePause {
  paused = false;
  epoch = 0;
  #waiters: (() => void)[] = [];

  pause(): void {
    this.paused = true;
    this.epoch++;
  }

  resume(): void {
    this.paused = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Callers waiting for the resume. */
  get waiting(): number {
    return this.#waiters.length;
  }

  pausedSince(epoch: number): boolean {
    return this.paused || this.epoch !== epoch;
  }

  whenResumed(signal: AbortSignal): Promise<void> {
    if (!this.paused) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        reject(new ClosedError('pause: aborted'));
      };
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(wake);
    });
  }
}

/** Runner ports built from the fakes above (backoff 10 ms doubling to 40 ms, no jitter). */
export function fakeRunnerPorts(clock: Clock, limiter: FakeLimiter, pause: FakePause): CommandRunnerPorts {
  return {
    clock,
    commands: limiter,
    get pauseEpoch() {
      return pause.epoch;
    },
    pausedSince: (epoch) => pause.pausedSince(epoch),
    whenResumed: (signal) => pause.whenResumed(signal),
    backoff: { initialDelayMs: 10, maxDelayMs: 40, factor: 2, randomize: false },
  };
}

/** One logged line. */
export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: LogFields;
  readonly message: string;
}

/** A logger that keeps what it was told. */
export function recordingLogger(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (fields: LogFields, message: string): void =>
      void entries.push({ level, fields, message });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Every manager event emitted, in order. */
export class EventLog {
  readonly events: { readonly event: keyof ConnectionManagerEvents; readonly payload: unknown }[] = [];
  readonly emit: EmitEvent = (event, payload) => void this.events.push({ event, payload });

  /** The payloads of one event, in order. */
  of<E extends keyof ConnectionManagerEvents>(event: E): Parameters<ConnectionManagerEvents[E]>[0][] {
    return this.events.filter((e) => e.event === event).map((e) => e.payload as Parameters<ConnectionManagerEvents[E]>[0]);
  }
}

/** One command the scripted client was asked to send. */
export interface SentCommand {
  readonly cmd: 'subscribe' | 'unsubscribe' | 'update_subscription' | 'list_subscriptions';
  readonly action?: UpdateAction | undefined;
  readonly sid?: number | undefined;
  readonly tickers: readonly string[];
}

/**
 * The command half of a client. Every command is recorded, then `reply` runs: it may throw or reject to
 * fail the command; otherwise the command succeeds with a plain result (subscribe hands out sids 1, 2, …).
 */
export class ScriptedClient implements CommandClient {
  readonly sent: SentCommand[] = [];
  nextSid = 1;
  reply: (command: SentCommand) => void | Promise<void> = () => undefined;
  /** Breaks the port's contract: subscribe resolves with no result. */
  noSubscribeResult = false;

  /** The ticker lists of the sent commands, optionally of one command or update action. */
  batches(kind?: string): (readonly string[])[] {
    return this.sent.filter((c) => kind === undefined || c.cmd === kind || c.action === kind).map((c) => c.tickers);
  }

  async subscribe(channels: readonly ChannelName[], marketTickers: readonly string[] = [], _options?: SubscribeOptions): Promise<SubscribeResult[]> {
    await this.#send({ cmd: 'subscribe', tickers: marketTickers });
    if (this.noSubscribeResult) return [];
    return [{ sid: this.nextSid++, channel: channels[0]! }];
  }

  async unsubscribe(sids: readonly number[], _options?: CommandOptions): Promise<UnsubscribeResult> {
    await this.#send({ cmd: 'unsubscribe', sid: sids[0], tickers: [] });
    return { sids };
  }

  async updateSubscription(sid: number, action: UpdateAction, marketTickers: readonly string[], _options?: CommandOptions): Promise<UpdateResult> {
    await this.#send({ cmd: 'update_subscription', action, sid, tickers: marketTickers });
    return { sid, action, seq: undefined, snapshots: action === 'get_snapshot' ? marketTickers.length : 0 };
  }

  async listSubscriptions(_options?: CommandOptions): Promise<SubscriptionInfo[]> {
    await this.#send({ cmd: 'list_subscriptions', tickers: [] });
    return [];
  }

  async #send(command: SentCommand): Promise<void> {
    this.sent.push(command);
    await this.reply(command);
  }
}

/** Kalshi's rejection with `code`, classified as the client would. */
export function rejection(code: number, sid?: number): CommandRejectedError {
  const options = sid === undefined ? { command: 'update_subscription' } : { command: 'update_subscription', sid };
  return new CommandRejectedError(code, classifyKalshiError(code), `code ${code}`, options);
}

/** One orderbook slot as its command loops see it: a real book, a scripted client, a generation to end. */
export class FakeOrderbookHost implements OrderbookHost {
  readonly book = new SlotBook();
  readonly snapshots = new SnapshotWatch();
  readonly client = new ScriptedClient();
  readonly resubscribed: [sid: number, kalshiCode: number | undefined][] = [];
  readonly recycled: number[] = [];
  generation = 1;
  #connection: LiveConnection & { readonly controller: AbortController } = this.#open();

  constructor(readonly connectionId = 7) {}

  live(): LiveConnection | undefined {
    return this.#connection.signal.aborted ? undefined : this.#connection;
  }

  isLive(generation: number): boolean {
    return !this.#connection.signal.aborted && generation === this.generation;
  }

  adopted(_sid: number): boolean {
    return true;
  }

  /** What the slot does on a lost sid (e.g. `BookSync.resubscribe`); recorded either way. */
  onResubscribe: ((sid: number) => void) | undefined;

  resubscribe(sid: number, kalshiCode: number | undefined): void {
    this.resubscribed.push([sid, kalshiCode]);
    this.onResubscribe?.(sid);
  }

  recycle(generation: number): void {
    this.recycled.push(generation);
    if (this.isLive(generation)) this.end();
  }

  /** The connection closes: its generation ends. */
  end(): void {
    this.#connection.controller.abort();
  }

  /** A new connection opens (next generation) on the same book. */
  reopen(): void {
    this.end();
    this.generation++;
    this.#connection = this.#open();
  }

  #open(): LiveConnection & { readonly controller: AbortController } {
    const controller = new AbortController();
    return { client: this.client, generation: this.generation, signal: controller.signal, controller };
  }
}
