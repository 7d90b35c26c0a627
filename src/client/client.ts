import type { ChannelName, UpdateAction } from '../protocol/kalshi/channels';
import type { EnvelopeScan } from '../protocol/kalshi/envelope';
import type { CommandRejectedError, KalshiWsPoolError, ProtocolError } from '../errors';

/** Where a client is in its one-shot life. A client never reconnects; the manager makes a new one. */
export type ClientState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';

/** Why a connection ended. */
export type CloseKind =
  /** The peer sent a close frame (or we closed gracefully). */
  | 'clean'
  /** A socket or protocol error ended it. */
  | 'error'
  /** No inbound frame for `staleAfterMs`: the client terminated it. */
  | 'stale'
  /** `terminate()` was called. */
  | 'terminated';

/** Payload of the `close` event. */
export interface CloseInfo {
  /** Why it ended. */
  readonly kind: CloseKind;
  /** WebSocket close code, when one was received or sent. */
  readonly code: number | undefined;
  /** Close reason text, when any. */
  readonly reason: string;
  /** The error behind an `error` close. */
  readonly error: Error | undefined;
  /** Whether the close was asked for by this side (`close()` / `terminate()`). */
  readonly initiatedLocally: boolean;
}

/** Options on every command. */
export interface CommandOptions {
  /** Abort waiting for the reply; the pending entry is removed and the promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** Override the client's `commandTimeoutMs` for this command. */
  readonly timeoutMs?: number;
}

/** Options of `subscribe`, on top of {@link CommandOptions}. */
export interface SubscribeOptions extends CommandOptions {
  /** `ticker`: send the current ticker at once. */
  readonly sendInitialSnapshot?: boolean;
  /** `ticker`: skip the ticker acknowledgement. */
  readonly skipTickerAck?: boolean;
  /** Orderbook: express the no side in yes prices. Record this flag with the stream. */
  readonly useYesPrice?: boolean;
}

/** One `subscribed` reply. */
export interface SubscribeResult {
  /** The new subscription id (sids number from 1 on every connection). */
  readonly sid: number;
  /** Its channel. */
  readonly channel: string;
}

/** Result of `update_subscription`. */
export interface UpdateResult {
  /** The updated subscription. */
  readonly sid: number;
  /** The action that was applied. */
  readonly action: UpdateAction;
  /** Seq the `ok` reply took on the sid (`add_markets` / `delete_markets`), when present. */
  readonly seq: number | undefined;
  /** `get_snapshot`: how many snapshots carrying the command id arrived (all requested markets). */
  readonly snapshots: number;
}

/** Result of `unsubscribe`. */
export interface UnsubscribeResult {
  /** Sids the server confirmed. */
  readonly sids: readonly number[];
}

/** One entry of `list_subscriptions`. */
export interface SubscriptionInfo {
  /** Subscription id. */
  readonly sid: number;
  /** Its channel. */
  readonly channel: string;
}

/** Per-connection counters, read as a plain snapshot (for metrics). */
export interface ClientStats {
  /** Data and reply frames received. */
  readonly messagesReceived: number;
  /** Bytes of received frames. */
  readonly bytesReceived: number;
  /** Commands sent, by command name. */
  readonly commandsSent: Readonly<Record<string, number>>;
  /** Sum of reply latencies in ms, by command name (with `commandsAnswered` gives a mean). */
  readonly commandLatencyMsTotal: Readonly<Record<string, number>>;
  /** Commands answered (ok or error), by command name. */
  readonly commandsAnswered: Readonly<Record<string, number>>;
  /** Errors by type: `timeout`, `rejected`, `protocol`, `late-reply`, `socket`, `aborted`, `stale`. */
  readonly errors: Readonly<Record<string, number>>;
  /** Last ping received from the server (ms since epoch), 0 if none. */
  readonly lastPingAt: number;
  /** Last inbound frame of any kind (ms since epoch), 0 if none. */
  readonly lastFrameAt: number;
  /** Commands waiting for a reply. */
  readonly pendingCommands: number;
}

/**
 * Receives every data frame of a {@link Client}, and every reply that takes a seq (`ok` with sid,
 * sid-scoped `error`, `unsubscribed`): the hot path, one direct call per frame.
 *
 * Positional arguments, so nothing is allocated per frame. `envelope` is the client's scan of the frame
 * and is reused for the next one: read it synchronously. A sink must not throw; the client does not
 * catch (a throw would surface from the socket callback).
 */
export type FrameSink = (data: Uint8Array, receivedAt: number, envelope: EnvelopeScan) => void;

/**
 * Events of a {@link Client}: control and lifecycle. Frames go to the {@link FrameSink}, not to an event.
 */
export interface ClientEvents {
  /**
   * A `subscribed` reply was read. Emitted synchronously, before the `subscribe` promise settles and
   * before any later frame, so a seq tracker can open the sid before its first snapshot arrives.
   */
  subscribed: (event: { readonly sid: number; readonly channel: string; readonly id: number }) => void;
  /** The connection ended. Emitted once. */
  close: (info: CloseInfo) => void;
  /** A ping arrived from the server (it is answered automatically). */
  ping: (event: { readonly at: number }) => void;
  /** A pong arrived (answer to a client ping). */
  pong: (event: { readonly at: number }) => void;
  /** A sid-scoped Kalshi error that no pending command was waiting for (e.g. 10, 25). */
  subscriptionError: (event: { readonly sid: number; readonly error: CommandRejectedError }) => void;
  /** A frame that could not be read (not JSON, truncated, binary, oversized). Never thrown. */
  protocolError: (error: ProtocolError) => void;
  /** Any other background failure worth reporting (never thrown from a socket callback). */
  error: (error: KalshiWsPoolError) => void;
}

/** The subset of eventemitter3's API a {@link Client} exposes. */
export interface ClientEmitter {
  /** Listen to a client event. */
  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): this;
  /** Listen to the next occurrence only. */
  once<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): this;
  /** Stop listening (every listener of `event` when `listener` is omitted). */
  off<E extends keyof ClientEvents>(event: E, listener?: ClientEvents[E]): this;
  /** Remove every listener, or every listener of one event. */
  removeAllListeners(event?: keyof ClientEvents): this;
  /** Listeners registered for `event` (for leak checks). */
  listenerCount(event: keyof ClientEvents): number;
}

/**
 * The `Client` port: one WebSocket connection to Kalshi's market-data API. The manager owns many.
 * A client connects once and never reconnects. The default implementation is `createKalshiClient`;
 * `kalshi-ws-pool/testing` has an in-memory `FakeClient`.
 */
export interface Client extends ClientEmitter {
  /** Current state. */
  readonly state: ClientState;
  /** True while the socket is open. */
  readonly connected: boolean;
  /**
   * Dial and complete the handshake. Rejects with `AuthError` (401/403), `RateLimitedError` (429),
   * `ConnectError` (network, 5xx, dial timeout) or the signal's reason.
   */
  connect(signal?: AbortSignal): Promise<void>;
  /** Graceful close (close frame, then terminate after a timeout). Idempotent; resolves once closed. */
  close(options?: { readonly code?: number; readonly reason?: string }): Promise<void>;
  /** Destroy the socket now. Idempotent. */
  terminate(): void;
  /** One result per channel, in request order, each with its own sid. */
  subscribe(
    channels: readonly ChannelName[],
    marketTickers?: readonly string[],
    options?: SubscribeOptions,
  ): Promise<SubscribeResult[]>;
  /** Unsubscribe sids. */
  unsubscribe(sids: readonly number[], options?: CommandOptions): Promise<UnsubscribeResult>;
  /** `add_markets`, `delete_markets` or `get_snapshot` on exactly one sid. */
  updateSubscription(
    sid: number,
    action: UpdateAction,
    marketTickers: readonly string[],
    options?: CommandOptions,
  ): Promise<UpdateResult>;
  /** List the connection's subscriptions. */
  listSubscriptions(options?: CommandOptions): Promise<SubscriptionInfo[]>;
  /** Stop reading from the socket (backpressure). Idempotent. */
  pause(): void;
  /** Resume reading. Idempotent. */
  resume(): void;
  /** Counters snapshot. */
  stats(): ClientStats;
  /**
   * Where frames go: one sink per client (the manager's frame path), replacing any earlier one;
   * `undefined` detaches it. Frames read while no sink is set are counted in `stats()` and dropped.
   * A direct call instead of an event, so the per-frame path pays no emitter lookup (docs/benchmarks.md).
   */
  setFrameSink(sink: FrameSink | undefined): void;
}

/** Builds the client for one pool slot; called again for each reconnect. */
export type ClientFactory = (context: { readonly connectionId: number; readonly generation: number }) => Client;
