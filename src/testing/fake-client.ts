/**
 * An in-memory {@link Client} for tests: scripted replies (sids from 1, seqs per sid, `ok` and
 * snapshot frames like Kalshi's), recorded commands, injected frames, closes, errors and failures.
 * @packageDocumentation
 */
import { ClientEventEmitter } from '../client/client-emitter';
import type {
  Client,
  ClientState,
  ClientStats,
  CloseInfo,
  CommandOptions,
  FrameSink,
  SubscribeResult,
  SubscriptionInfo,
  UnsubscribeResult,
  UpdateResult,
} from '../client/client';
import { ClosedError, CommandRejectedError } from '../errors';
import type { ChannelName, UpdateAction } from '../protocol/kalshi/channels';
import { createEnvelopeScan } from '../protocol/kalshi/envelope';
import { scanEnvelope } from '../protocol/kalshi/envelope-scanner';
import { classifyKalshiError } from '../protocol/kalshi/error-codes';

/** A command the fake received. */
export interface FakeCommand {
  /** Command id on the fake connection. */
  readonly id: number;
  /** Command name. */
  readonly cmd: 'subscribe' | 'unsubscribe' | 'update_subscription' | 'list_subscriptions';
  /** `subscribe`: channels. */
  readonly channels: readonly string[];
  /** Markets of `subscribe` / `update_subscription`. */
  readonly tickers: readonly string[];
  /** `unsubscribe`: sids; `update_subscription`: the one sid. */
  readonly sids: readonly number[];
  /** `update_subscription`: its action. */
  readonly action: UpdateAction | undefined;
}

/** Which commands a scripted failure applies to. */
export interface FakeFailureFilter {
  /** Only this command (any command when omitted). */
  readonly cmd?: FakeCommand['cmd'];
  /** Only `update_subscription` with this action. */
  readonly action?: UpdateAction;
  /** Only commands whose market tickers include this one (e.g. one bad ticker inside a batch). */
  readonly ticker?: string;
  /** How many matching commands fail. @default 1 */
  readonly times?: number;
}

/** Options of {@link FakeClient}. */
export interface FakeClientOptions {
  /** Pool connection id (used in errors and frames). @default 1 */
  readonly connectionId?: number;
  /** Slot generation this client stands for. @default 1 */
  readonly generation?: number;
  /** Send one `orderbook_snapshot` per market on subscribe / add_markets (seq-numbered). @default true */
  readonly snapshots?: boolean;
  /** Clock for `receivedAt`. @default Date.now */
  readonly now?: () => number;
  /** Markets one orderbook sid may hold; a subscribe / add_markets beyond it is rejected with error 26. @default Infinity */
  readonly marketLimit?: number;
}

interface FakeSubscription {
  readonly channel: string;
  readonly markets: Set<string>;
  seq: number;
}

interface Failure extends FakeFailureFilter {
  readonly code: number;
  left: number;
}

const encoder = new TextEncoder();

/**
 * In-memory Kalshi connection implementing the {@link Client} port.
 * @example
 * const client = new FakeClient();
 * await client.connect();
 * const [{ sid }] = await client.subscribe(['orderbook_delta'], ['MKT-A']);
 * client.data(sid, 'orderbook_delta', { market_ticker: 'MKT-A' }); // next seq on the sid
 */
export class FakeClient extends ClientEventEmitter implements Client {
  /** Pool connection id. */
  readonly connectionId: number;
  /** Slot generation. */
  readonly generation: number;
  /** Every command received, in order. */
  readonly commands: FakeCommand[] = [];
  /** `pause()` / `resume()` calls. */
  pauseCalls = 0;
  /** `resume()` calls. */
  resumeCalls = 0;
  #state: ClientState = 'idle';
  #paused = false;
  #nextId = 1;
  #nextSid = 1;
  readonly #subs = new Map<number, FakeSubscription>();
  readonly #failures: Failure[] = [];
  #connectError: Error | undefined;
  #connectGate: { release: () => void } | undefined;
  #connectHeld = false;
  #hold = false;
  readonly #held: (() => void)[] = [];
  readonly #pending = new Set<(error: Error) => void>();
  readonly #scan = createEnvelopeScan();
  readonly #snapshots: boolean;
  readonly #now: () => number;
  readonly #marketLimit: number;
  #lastFrameAt = 0;
  #received = 0;
  #sink: FrameSink | undefined;

  constructor(options: FakeClientOptions = {}) {
    super();
    this.connectionId = options.connectionId ?? 1;
    this.generation = options.generation ?? 1;
    this.#snapshots = options.snapshots ?? true;
    this.#now = options.now ?? Date.now;
    this.#marketLimit = options.marketLimit ?? Number.POSITIVE_INFINITY;
  }

  get state(): ClientState {
    return this.#state;
  }

  get connected(): boolean {
    return this.#state === 'open';
  }

  /** True between `pause()` and `resume()`. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Current subscriptions, sid ascending. */
  subscriptions(): {
    /** Subscription id. */
    sid: number;
    /** Its channel. */
    channel: string;
    /** Markets it holds. */
    markets: string[];
    /** Last seq it used. */
    seq: number;
  }[] {
    return [...this.#subs].map(([sid, s]) => ({ sid, channel: s.channel, markets: [...s.markets], seq: s.seq }));
  }

  /** The sid holding `channel`, if any. */
  sidOf(channel: ChannelName): number | undefined {
    for (const [sid, s] of this.#subs) if (s.channel === channel) return sid;
    return undefined;
  }

  // ---- scripting -----------------------------------------------------------------------------

  /** The next `connect()` rejects with `error` (AuthError, ConnectError, RateLimitedError...). */
  failConnect(error: Error): this {
    this.#connectError = error;
    return this;
  }

  /** `connect()` waits until {@link releaseConnect} (or its signal aborts). */
  holdConnect(): this {
    this.#connectHeld = true;
    return this;
  }

  /** Let a held `connect()` finish. */
  releaseConnect(): void {
    this.#connectHeld = false;
    this.#connectGate?.release();
  }

  /** The next matching command(s) are rejected with Kalshi error `code`. */
  failNext(code: number, filter: FakeFailureFilter = {}): this {
    this.#failures.push({ ...filter, code, left: filter.times ?? 1 });
    return this;
  }

  /** Keep replies back until {@link releaseReplies}. */
  holdReplies(): this {
    this.#hold = true;
    return this;
  }

  /** Answer every held command, in order, and stop holding. */
  releaseReplies(): void {
    this.#hold = false;
    for (const reply of this.#held.splice(0)) reply();
  }

  /** Commands waiting in {@link holdReplies}. */
  get heldReplies(): number {
    return this.#held.length;
  }

  // ---- injection -----------------------------------------------------------------------------

  /** Emit a raw frame (string, object or bytes), scanned like the real client does. */
  inject(frame: string | object | Uint8Array, receivedAt = this.#now()): void {
    const bytes =
      frame instanceof Uint8Array ? frame : encoder.encode(typeof frame === 'string' ? frame : JSON.stringify(frame));
    const scan = scanEnvelope(bytes, this.#scan);
    if (!scan.ok) throw new Error(`FakeClient.inject: not a JSON object frame (${scan.failure ?? 'invalid'})`);
    this.#lastFrameAt = receivedAt;
    this.#received++;
    this.#sink?.(bytes, receivedAt, scan);
  }

  /** The frame sink set now (undefined when detached; for leak checks). */
  get frameSink(): FrameSink | undefined {
    return this.#sink;
  }

  setFrameSink(sink: FrameSink | undefined): void {
    this.#sink = sink;
  }

  /** Emit a data frame on `sid` with its next seq (`seq: false` for seq-less channels like ticker). Returns the seq. */
  data(sid: number, type: string, msg: object, options: { readonly seq?: boolean } = {}): number | undefined {
    if (options.seq === false) {
      this.inject({ type, sid, msg });
      return undefined;
    }
    const seq = this.#takeSeq(sid);
    this.inject({ type, sid, seq, msg });
    return seq;
  }

  /** Advance `sid`'s seq by `n` without sending (the next frame shows a gap of `n`). */
  skipSeq(sid: number, n = 1): void {
    const sub = this.#subs.get(sid);
    if (sub !== undefined) sub.seq += n;
  }

  /** A sid-scoped Kalshi error without id (e.g. 10, 25): an `error` frame taking a seq, then `subscriptionError`. */
  subscriptionError(sid: number, code: number): void {
    const seq = this.#takeSeq(sid);
    this.inject({ type: 'error', sid, seq, msg: { code, msg: 'injected' } });
    this.#subs.delete(sid);
    const error = new CommandRejectedError(code, classifyKalshiError(code), 'injected', { sid, connectionId: this.connectionId });
    this.emit('subscriptionError', { sid, error });
  }

  /** The server side ends the connection. */
  drop(info: Partial<CloseInfo> = {}): void {
    this.#end({
      kind: info.kind ?? 'error',
      code: info.code ?? 1006,
      reason: info.reason ?? '',
      error: info.error,
      initiatedLocally: info.initiatedLocally ?? false,
    });
  }

  // ---- Client --------------------------------------------------------------------------------

  async connect(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#state !== 'idle') throw new ClosedError(`connect() called in state ${this.#state}`);
    this.#state = 'connecting';
    if (this.#connectHeld) await this.#waitGate(signal);
    await Promise.resolve();
    const error = this.#connectError ?? (signal?.aborted === true ? (signal.reason as Error) : undefined);
    if (error !== undefined || this.#state !== 'connecting') {
      this.#state = 'closed';
      throw error ?? new ClosedError('closed while connecting');
    }
    this.#state = 'open';
  }

  #waitGate(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#connectGate = undefined;
        this.#state = 'closed';
        reject(signal?.reason as Error);
      };
      this.#connectGate = {
        release: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#connectGate = undefined;
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(options: { readonly code?: number; readonly reason?: string } = {}): Promise<void> {
    this.#end({ kind: 'clean', code: options.code ?? 1000, reason: options.reason ?? '', error: undefined, initiatedLocally: true });
    return Promise.resolve();
  }

  terminate(): void {
    this.#end({ kind: 'terminated', code: undefined, reason: '', error: undefined, initiatedLocally: true });
  }

  #end(info: CloseInfo): void {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    this.#connectGate = undefined;
    this.#held.length = 0;
    const error = new ClosedError(`connection ${this.connectionId} closed`, { connectionId: this.connectionId });
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
    this.#subs.clear();
    if (wasOpen) this.emit('close', info);
  }

  subscribe(channels: readonly ChannelName[], marketTickers: readonly string[] = [], options: CommandOptions = {}): Promise<SubscribeResult[]> {
    const command: Omit<FakeCommand, 'id'> = { cmd: 'subscribe', channels, tickers: marketTickers, sids: [], action: undefined };
    return this.#command(command, options, (id) => {
      if (channels.includes('orderbook_delta') && new Set(marketTickers).size > this.#marketLimit) {
        throw this.#rejection(26, command, id, undefined);
      }
      const results: SubscribeResult[] = [];
      for (const channel of channels) {
        const sid = this.#nextSid++;
        this.#subs.set(sid, { channel, markets: new Set(marketTickers), seq: 0 });
        this.emit('subscribed', { sid, channel, id });
        results.push({ sid, channel });
        if (channel === 'orderbook_delta') this.#sendSnapshots(sid, marketTickers, undefined);
      }
      return results;
    });
  }

  unsubscribe(sids: readonly number[], options: CommandOptions = {}): Promise<UnsubscribeResult> {
    return this.#command({ cmd: 'unsubscribe', channels: [], tickers: [], sids, action: undefined }, options, (id) => {
      for (const sid of sids) {
        if (!this.#subs.has(sid)) continue;
        const seq = this.#takeSeq(sid);
        this.#subs.delete(sid);
        this.inject({ id, sid, seq, type: 'unsubscribed' });
      }
      return { sids: [...sids] };
    });
  }

  updateSubscription(sid: number, action: UpdateAction, marketTickers: readonly string[], options: CommandOptions = {}): Promise<UpdateResult> {
    const command: Omit<FakeCommand, 'id'> = { cmd: 'update_subscription', channels: [], tickers: marketTickers, sids: [sid], action };
    return this.#command(command, options, (id) => {
      const sub = this.#subs.get(sid);
      if (sub === undefined) throw this.#rejection(7, command, id, sid);
      if (action === 'get_snapshot') {
        this.#sendSnapshots(sid, marketTickers, id);
        return { sid, action, seq: undefined, snapshots: marketTickers.length };
      }
      if (action === 'add_markets' && new Set([...sub.markets, ...marketTickers]).size > this.#marketLimit) {
        throw this.#rejection(26, command, id, sid);
      }
      const added: string[] = [];
      for (const ticker of marketTickers) {
        if (action === 'delete_markets') sub.markets.delete(ticker);
        else if (!sub.markets.has(ticker)) {
          sub.markets.add(ticker);
          added.push(ticker);
        }
      }
      const seq = this.#takeSeq(sid);
      this.inject({ id, sid, seq, type: 'ok', msg: { market_tickers: [...sub.markets] } });
      if (action === 'add_markets') this.#sendSnapshots(sid, added, undefined);
      return { sid, action, seq, snapshots: 0 };
    });
  }

  listSubscriptions(options: CommandOptions = {}): Promise<SubscriptionInfo[]> {
    return this.#command({ cmd: 'list_subscriptions', channels: [], tickers: [], sids: [], action: undefined }, options, () =>
      [...this.#subs].map(([sid, s]) => ({ sid, channel: s.channel })),
    );
  }

  pause(): void {
    this.pauseCalls++;
    this.#paused = true;
  }

  resume(): void {
    this.resumeCalls++;
    this.#paused = false;
  }

  stats(): ClientStats {
    const sent: Record<string, number> = {};
    for (const c of this.commands) sent[c.cmd] = (sent[c.cmd] ?? 0) + 1;
    return {
      messagesReceived: this.#received,
      bytesReceived: 0,
      commandsSent: sent,
      commandLatencyMsTotal: {},
      commandsAnswered: {},
      errors: {},
      lastPingAt: 0,
      lastFrameAt: this.#lastFrameAt,
      pendingCommands: this.#pending.size + this.#held.length,
    };
  }

  // ---- internals -----------------------------------------------------------------------------

  #command<T>(shape: Omit<FakeCommand, 'id'>, options: CommandOptions, answer: (id: number) => T): Promise<T> {
    if (this.#state !== 'open') {
      return Promise.reject(new ClosedError(`${shape.cmd} not sent: connection is ${this.#state}`, { connectionId: this.connectionId }));
    }
    const id = this.#nextId++;
    const command: FakeCommand = { id, ...shape };
    this.commands.push(command);
    const { signal } = options;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => finish(() => reject(signal?.reason as Error));
      const fail = (error: Error): void => finish(() => reject(error));
      const finish = (settle: () => void): void => {
        if (!this.#pending.delete(fail)) return;
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      this.#pending.add(fail);
      signal?.addEventListener('abort', onAbort, { once: true });
      const reply = (): void => {
        if (!this.#pending.has(fail)) return;
        const failure = this.#takeFailure(command);
        if (failure !== undefined) {
          fail(this.#rejection(failure.code, command, id, command.sids[0]));
          return;
        }
        try {
          const value = answer(id);
          finish(() => resolve(value));
        } catch (error) {
          fail(error as Error);
        }
      };
      if (this.#hold) this.#held.push(reply);
      else queueMicrotask(reply);
    });
  }

  #takeFailure(command: FakeCommand): Failure | undefined {
    const index = this.#failures.findIndex(
      (f) =>
        (f.cmd === undefined || f.cmd === command.cmd) &&
        (f.action === undefined || f.action === command.action) &&
        (f.ticker === undefined || command.tickers.includes(f.ticker)),
    );
    if (index === -1) return undefined;
    const failure = this.#failures[index]!;
    if (--failure.left <= 0) this.#failures.splice(index, 1);
    return failure;
  }

  #rejection(code: number, command: Omit<FakeCommand, 'id'>, id: number, sid: number | undefined): CommandRejectedError {
    return new CommandRejectedError(code, classifyKalshiError(code), 'injected', {
      command: command.cmd,
      commandId: id,
      connectionId: this.connectionId,
      ...(sid === undefined ? {} : { sid }),
    });
  }

  #takeSeq(sid: number): number {
    const sub = this.#subs.get(sid);
    if (sub === undefined) return 1;
    sub.seq += 1;
    return sub.seq;
  }

  #sendSnapshots(sid: number, tickers: readonly string[], id: number | undefined): void {
    if (!this.#snapshots) return;
    for (const ticker of tickers) {
      const seq = this.#takeSeq(sid);
      const frame = id === undefined ? { type: 'orderbook_snapshot', sid, seq, msg: { market_ticker: ticker } } : { type: 'orderbook_snapshot', sid, seq, id, msg: { market_ticker: ticker } };
      this.inject(frame);
    }
  }
}
