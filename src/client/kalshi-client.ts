import type { ConnectionErrorOptions } from '../errors';
import { AuthError, ClosedError, ConfigError, StateError, isKalshiWsPoolError } from '../errors';
import type { ChannelName, UpdateAction } from '../protocol/kalshi/channels';
import { WS_SIGN_PATH } from '../protocol/kalshi/auth-headers';
import type { KalshiAuthHeaders } from '../protocol/kalshi/auth-headers';
import type {
  Client,
  ClientState,
  ClientStats,
  CloseInfo,
  CloseKind,
  CommandOptions,
  FrameSink,
  SubscribeOptions,
  SubscribeResult,
  SubscriptionInfo,
  UnsubscribeResult,
  UpdateResult,
} from './client';
import { ClientCounters } from './client-counters';
import { ClientEventEmitter } from './client-emitter';
import type { Prepare } from './command-entries';
import { prepareList, prepareSubscribe, prepareUnsubscribe, prepareUpdate } from './command-entries';
import { FrameHandler } from './frame-handler';
import { classifyHandshakeStatus, dialFailure, dialTimeout } from './handshake-errors';
import type { KalshiClientOptions, ResolvedKalshiClientOptions } from './kalshi-client-options';
import { checkDuration, resolveKalshiClientOptions } from './kalshi-client-options';
import { Liveness } from './liveness';
import { PendingCommands, deferred } from './pending-commands';
import type { SocketAdapter, SocketSink } from './socket-adapter';
import { openSocket } from './socket-adapter';

/** A dial in progress. */
interface Dial {
  readonly resolve: (value: undefined) => void;
  readonly reject: (reason: unknown) => void;
  /** Aborts signing when the dial ends early. */
  readonly controller: AbortController;
  timer: unknown;
}

/** The default {@link Client}: one signed `ws` connection that watches its own liveness. */
class KalshiClient extends ClientEventEmitter implements Client {
  private readonly options: ResolvedKalshiClientOptions;
  private readonly context: ConnectionErrorOptions;
  private readonly counters = new ClientCounters();
  private readonly pending: PendingCommands;
  private readonly frames: FrameHandler;
  private readonly liveness: Liveness;
  private currentState: ClientState = 'idle';
  private socket: SocketAdapter | undefined;
  private dial: Dial | undefined;
  private nextId = 1;
  private lastActivityAt = 0;
  /** Arrival time shared by the frames of the current socket read; -1 outside one. */
  private readAt = -1;
  private readonly clearReadAt = (): void => {
    this.readAt = -1;
  };
  /** True between pause() and resume(): silence then is our own backpressure, not a dead link. */
  private paused = false;
  /** Set by close()/terminate()/stale: how the close event will read. */
  private localKind: CloseKind | undefined;
  /** Last socket error seen while open; turns a close into kind `error`. */
  private socketError: Error | undefined;
  private closeTimer: unknown;
  private readonly closed = deferred<undefined>();
  private closeRequested = false;

  constructor(options: KalshiClientOptions) {
    super();
    this.options = resolveKalshiClientOptions(options);
    const id = this.options.connectionId;
    this.context = id === undefined ? {} : { connectionId: id };
    this.pending = new PendingCommands(
      this.options.clock,
      { dropped: (_entry, why) => this.counters.error(why) },
      this.context,
    );
    this.frames = new FrameHandler(this, this.pending, this.counters, this.context, () => this.options.clock.now());
    this.liveness = new Liveness(this.options, {
      lastActivityAt: () => (this.paused ? this.options.clock.now() : this.lastActivityAt),
      onStale: (silentForMs) => this.onStale(silentForMs),
      sendPing: () => {
        this.socket?.ping();
      },
    });
  }

  get state(): ClientState {
    return this.currentState;
  }

  get connected(): boolean {
    return this.currentState === 'open';
  }

  async connect(signal?: AbortSignal): Promise<void> {
    if (this.currentState !== 'idle') {
      throw new StateError(`connect() can be called once per client (state is ${this.currentState})`);
    }
    signal?.throwIfAborted();
    this.currentState = 'connecting';
    const done = deferred<undefined>();
    const dial: Dial = {
      resolve: done.resolve,
      reject: done.reject as (reason: unknown) => void,
      controller: new AbortController(),
      timer: undefined,
    };
    this.dial = dial;
    const { clock, dialTimeoutMs, host } = this.options;
    dial.timer = clock.setTimeout(() => this.failDial(dialTimeout(host, dialTimeoutMs, this.context)), dialTimeoutMs);
    const onAbort = (): void => this.failDial(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      void this.sign(dial);
      await done.promise;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Signs, then opens the socket; any failure ends the dial. */
  private async sign(dial: Dial): Promise<void> {
    let headers: KalshiAuthHeaders;
    try {
      headers = await this.options.signer.headers('GET', WS_SIGN_PATH, dial.controller.signal);
    } catch (error) {
      if (this.dial !== dial) return; // the dial already ended (timeout, abort, close)
      this.failDial(
        isKalshiWsPoolError(error) ? error : new AuthError(`signing the handshake failed${this.where()}`, { ...this.context, cause: error }),
      );
      return;
    }
    if (this.dial !== dial) return;
    try {
      const { url, maxPayload, perMessageDeflate, skipUTF8Validation, transport, closeTimeoutMs, clock } = this.options;
      const dial = { url, headers, maxPayload, perMessageDeflate, skipUTF8Validation, transport, closeTimeoutMs, clock };
      this.socket = openSocket(this.options.WebSocket, dial, this.sink);
    } catch (error) {
      this.failDial(dialFailure(this.options.host, error, this.context));
    }
  }

  /** Ends a dial with `error`; tears the socket down in the background. */
  private failDial(error: unknown): void {
    const dial = this.dial;
    if (dial === undefined) return;
    this.endDial(dial);
    this.currentState = 'closed';
    this.closed.resolve(undefined);
    dial.reject(error);
    this.socket?.terminate();
  }

  private endDial(dial: Dial): void {
    this.dial = undefined;
    this.options.clock.clearTimeout(dial.timer);
    dial.controller.abort();
  }

  /** Socket callbacks, bound once per client. */
  private readonly sink: SocketSink = {
    open: () => {
      const dial = this.dial;
      if (dial === undefined) return;
      this.endDial(dial);
      this.currentState = 'open';
      this.lastActivityAt = this.options.clock.now();
      this.liveness.start();
      this.options.logger.debug({ connectionId: this.options.connectionId, host: this.options.host }, 'connected');
      dial.resolve(undefined);
    },
    message: (data, isBinary) => {
      if (this.currentState !== 'open' && this.currentState !== 'closing') return;
      // One clock read per socket read, not per frame (Date.now() is ~40 ns, a tenth of ws's own
      // per-frame cost): ws emits every frame of a read synchronously, and the microtask checkpoint
      // after the read clears the stamp, so frames that arrived together share their arrival time.
      let at = this.readAt;
      if (at < 0) {
        at = this.readAt = this.options.clock.now();
        queueMicrotask(this.clearReadAt);
      }
      this.lastActivityAt = at;
      this.frames.handle(data, isBinary, at);
    },
    ping: () => {
      const at = this.options.clock.now();
      this.lastActivityAt = at;
      this.counters.lastPingAt = at;
      this.counters.lastFrameAt = at;
      this.emit('ping', { at });
    },
    pong: () => {
      const at = this.options.clock.now();
      this.lastActivityAt = at;
      this.counters.lastFrameAt = at;
      this.emit('pong', { at });
    },
    unexpectedResponse: (status, retryAfter) => {
      this.failDial(classifyHandshakeStatus(status, retryAfter, this.options.clock.now(), this.context));
    },
    error: (error) => {
      if (this.dial !== undefined) {
        this.failDial(dialFailure(this.options.host, error, this.context));
        return;
      }
      if (this.currentState === 'closed') return;
      this.counters.error('socket');
      this.socketError ??= error;
      this.frames.socketError(error);
    },
    close: (code, reason) => {
      if (this.dial !== undefined) {
        this.failDial(dialFailure(this.options.host, new Error(`closed during handshake (${code})`), this.context));
        return;
      }
      this.onSocketClose(code, reason);
    },
  };

  private onSocketClose(code: number, reason: string): void {
    if (this.currentState === 'closed') return;
    let kind: CloseKind = this.localKind ?? 'clean';
    let error = this.socketError;
    // 1006: the TCP link ended without a close frame (peer destroyed the socket, network cut).
    if (this.localKind === undefined && error === undefined && code === 1006) {
      error = new ClosedError(`connection closed abnormally (1006) without a close frame${this.where()}`, this.context);
    }
    if (this.localKind === undefined && error !== undefined) kind = 'error';
    this.finish({ kind, code, reason, error, initiatedLocally: this.localKind !== undefined });
  }

  /** The single exit: timers off, pending commands rejected, `close` emitted once. */
  private finish(info: CloseInfo): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.liveness.stop();
    if (this.closeTimer !== undefined) this.options.clock.clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    const why = info.error === undefined ? `${info.kind} close` : info.error.message;
    this.pending.rejectAll(
      new ClosedError(`connection closed (${why}) while the command was pending${this.where()}`, {
        ...this.context,
        cause: info.error ?? info,
      }),
    );
    this.options.logger.debug(
      { connectionId: this.options.connectionId, kind: info.kind, code: info.code },
      'connection closed',
    );
    this.emit('close', info);
    this.closed.resolve(undefined);
  }

  private onStale(silentForMs: number): void {
    if (this.currentState !== 'open' && this.currentState !== 'closing') return;
    this.counters.error('stale');
    this.options.logger.warn({ connectionId: this.options.connectionId, silentForMs }, 'connection stale');
    this.localKind = 'stale';
    this.socket?.terminate();
    this.finish({
      kind: 'stale',
      code: undefined,
      reason: `no inbound frame for ${silentForMs} ms`,
      error: undefined,
      initiatedLocally: true,
    });
  }

  close(options?: { readonly code?: number; readonly reason?: string }): Promise<void> {
    if (this.closeRequested || this.currentState === 'closed') return this.closed.promise;
    this.closeRequested = true;
    if (this.currentState === 'idle') {
      this.currentState = 'closed';
      this.closed.resolve(undefined);
      return this.closed.promise;
    }
    if (this.dial !== undefined) {
      this.failDial(new ClosedError(`client closed while connecting${this.where()}`, this.context));
      return this.closed.promise;
    }
    this.currentState = 'closing';
    this.localKind = 'clean';
    const { clock, closeTimeoutMs } = this.options;
    this.closeTimer = clock.setTimeout(() => {
      this.closeTimer = undefined;
      this.terminate();
    }, closeTimeoutMs);
    this.socket?.close(options?.code ?? 1000, options?.reason ?? '');
    return this.closed.promise;
  }

  terminate(): void {
    if (this.currentState === 'closed') return;
    if (this.dial !== undefined) {
      this.failDial(new ClosedError(`client terminated while connecting${this.where()}`, this.context));
      return;
    }
    if (this.currentState === 'idle') {
      this.currentState = 'closed';
      this.closed.resolve(undefined);
      return;
    }
    this.localKind = 'terminated';
    this.socket?.terminate();
    this.finish({ kind: 'terminated', code: undefined, reason: 'terminated', error: undefined, initiatedLocally: true });
  }

  pause(): void {
    this.paused = true;
    this.socket?.pause();
  }

  resume(): void {
    // The silence of a paused socket was ours: the stale clock starts again from the resume.
    if (this.paused) this.lastActivityAt = this.options.clock.now();
    this.paused = false;
    this.socket?.resume();
  }

  stats(): ClientStats {
    return this.counters.snapshot(this.pending.size);
  }

  /** The frame sink set now (undefined when detached; for leak checks). */
  get frameSink(): FrameSink | undefined {
    return this.frames.sink;
  }

  setFrameSink(sink: FrameSink | undefined): void {
    if (sink !== undefined && typeof sink !== 'function') throw new ConfigError('frameSink', 'must be a function or undefined');
    this.frames.sink = sink;
  }

  subscribe(
    channels: readonly ChannelName[],
    marketTickers?: readonly string[],
    options?: SubscribeOptions,
  ): Promise<SubscribeResult[]> {
    return this.command(options, prepareSubscribe(channels, marketTickers, options));
  }

  unsubscribe(sids: readonly number[], options?: CommandOptions): Promise<UnsubscribeResult> {
    return this.command(options, prepareUnsubscribe(sids));
  }

  updateSubscription(
    sid: number,
    action: UpdateAction,
    marketTickers: readonly string[],
    options?: CommandOptions,
  ): Promise<UpdateResult> {
    const result = this.command(options, prepareUpdate(sid, action, marketTickers));
    if (action === 'get_snapshot' && this.currentState === 'open') {
      // Kalshi sends no `ok` for get_snapshot and nothing for markets the sid does not hold: a cheap
      // list_subscriptions right behind it marks the end of its answer, so it settles without a timeout.
      const snapshotId = this.nextId - 1;
      this.command(options, prepareList()).then(
        () => this.frames.snapshotBarrier(snapshotId),
        () => undefined, // the get_snapshot keeps its own timeout
      );
    }
    return result;
  }

  listSubscriptions(options?: CommandOptions): Promise<SubscriptionInfo[]> {
    return this.command(options, prepareList());
  }

  /**
   * Shared command path: validate, build (InvalidCommandError rejects before anything is sent),
   * register the pending entry with its timeout, then write.
   */
  private async command<T>(options: CommandOptions | undefined, prepare: Prepare<T>): Promise<T> {
    const timeoutMs =
      options?.timeoutMs === undefined ? this.options.commandTimeoutMs : checkDuration('timeoutMs', options.timeoutMs);
    const signal = options?.signal;
    signal?.throwIfAborted();
    const { text, entry, reply } = prepare(this.nextId, this.options.clock.now());
    const socket = this.socket;
    if (this.currentState !== 'open' || socket === undefined) {
      throw new ClosedError(`${entry.cmd} (id ${entry.id}) not sent: connection is ${this.currentState}${this.where()}`, this.context);
    }
    this.nextId += 1;
    const result = this.pending.track(entry, reply, timeoutMs, signal);
    this.counters.commandSent(entry.cmd);
    socket.send(text).catch((error: unknown) => {
      if (!this.pending.remove(entry)) return;
      this.counters.error('socket');
      entry.reject(
        new ClosedError(`${entry.cmd} (id ${entry.id}) could not be written${this.where()}`, { ...this.context, cause: error }),
      );
    });
    return result;
  }

  private where(): string {
    return this.options.connectionId === undefined ? '' : ` on connection ${this.options.connectionId}`;
  }

  /** Test hook: timers still armed and listeners still on the socket (both 0 after close). */
  resources(): { readonly timers: number; readonly socketListeners: number } {
    const timers =
      (this.liveness.active ? 1 : 0) + (this.closeTimer === undefined ? 0 : 1) + (this.dial === undefined ? 0 : 1);
    return { timers, socketListeners: this.socket?.listenerCount() ?? 0 };
  }
}

/**
 * Creates the default {@link Client}: one Kalshi market-data WebSocket, signed on each dial, that
 * matches command replies, hands data frames up untouched and closes itself when the link goes quiet.
 * It never reconnects (the manager does).
 * @throws {ConfigError} when an option is invalid (named in `error.option`).
 * @example
 * const client = createKalshiClient({ url: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2', signer });
 * client.setFrameSink((data, receivedAt, envelope) => handle(data, envelope.sid, envelope.seq));
 * await client.connect();
 * const [{ sid }] = await client.subscribe(['orderbook_delta'], ['KXBTC-26']);
 */
export function createKalshiClient(options: KalshiClientOptions): Client {
  return new KalshiClient(options);
}

