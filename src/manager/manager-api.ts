/**
 * The public surface of the connection manager.
 * @packageDocumentation
 */
import type { RawMessage } from '../raw-message';
import type { ConnectionManagerEvents, ManagerEventName } from './manager-events';
import type { ManagerHealth, ManagerState, ManagerStats } from './manager-stats';
import type { ConnectionStats } from './connection-stats';
import type { BatchOptions, IterateOptions } from './iterate-options';
import type { ReadyOptions } from './readiness';
import type { StopOptions } from './stop-deadline';

/**
 * A running pool of Kalshi connections, read as one `AsyncIterable<RawMessage>`.
 * `health()` and `stats()` keep working after `stop()`; everything else then throws or rejects `ClosedError`.
 */
export interface ConnectionManager extends AsyncIterable<RawMessage>, AsyncDisposable {
  /** Where the manager is. */
  readonly state: ManagerState;
  /**
   * Connect every slot (through the admission limiter), check the healthy minimum, subscribe the global
   * channels, then place the registry's markets. Slots that failed keep retrying in the background.
   * @throws {PoolStartError} fewer than `minHealthyConnections` came up (everything is stopped again).
   * @throws {StateError} called twice. @throws {ClosedError} after (or during) `stop()`.
   */
  start(signal?: AbortSignal): Promise<void>;
  /**
   * Resolves once the pool streams everything it was asked for: every placed orderbook market subscribed
   * and its snapshot received (queued for you), and every global channel (ticker, trade, lifecycle)
   * subscribed. `start()` resolves earlier, once the markets are placed. Connections that gave up (`failed`)
   * and markets left unplaced are not waited for. Call it after (or while) `start()`; it does not consume
   * messages, so with `overflow: 'pause'` read the stream meanwhile or the snapshots may not fit.
   * See docs/lifecycle.md "Ready".
   * @throws {NotReadyError} (rejects) after `timeoutMs` (`reason: 'timeout'`), when `signal` aborts
   * (`'aborted'`) or when the manager stops (`'stopped'`); the pool itself keeps running on timeout and abort.
   * @throws {ConfigError} at once on bad options.
   * @example
   * await manager.start();
   * await manager.ready({ timeoutMs: 30_000 });
   */
  ready(options?: ReadyOptions): Promise<void>;
  /**
   * Stop taking changes, cancel reconnects, close every socket, end the iterable after what is queued.
   * Idempotent. Each socket gets up to `closeTimeoutMs` to close cleanly; `deadlineMs` or `signal` cut that
   * short and terminate the sockets still open (the returned promise then settles soon after).
   * @throws {ConfigError} at once on bad options.
   * @example
   * await manager.stop({ deadlineMs: 2_000 });
   */
  stop(options?: StopOptions): Promise<void>;
  /**
   * The message stream (single consumer). Breaking out, or aborting `options.signal`, ends this loop
   * without stopping the pool; what is still queued stays for the next consumer.
   * @throws {StateError} with a router, or while another consumer reads. @throws {ClosedError} after `stop()`.
   * @throws {ConfigError} when `signal` is not an AbortSignal.
   * @example
   * const controller = new AbortController();
   * for await (const m of manager.messages({ signal: controller.signal })) handle(m);
   */
  messages(options?: IterateOptions): AsyncIterableIterator<RawMessage>;
  /**
   * Like {@link messages} but yields arrays of up to `maxBatch` queued messages; takes `maxBatch` or
   * `{ maxBatch, signal }`.
   * @default maxBatch 512
   * @throws as {@link messages}; {ConfigError} on a bad `maxBatch`.
   */
  batches(maxBatchOrOptions?: number | BatchOptions): AsyncIterableIterator<RawMessage[]>;
  /** Plain snapshot: connections by state and role, placement, queue depth, healthy vs required. */
  health(): ManagerHealth;
  /** Plain snapshot of counters. */
  stats(): ManagerStats;
  /**
   * Per-connection counters since the manager was created: one entry per slot (in connection id order),
   * each the totals of its retired client generations plus the live client's stats, so they never go
   * back on a reconnect. A detached plain snapshot computed on call (nothing extra on the frame path);
   * keeps working after `stop()`. The Prometheus adapter reads it at scrape time.
   * @example
   * for (const c of manager.connectionStats()) console.log(c.connectionId, c.role, c.messagesReceived, c.errors);
   */
  connectionStats(): ConnectionStats[];
  /** Listen to a manager event. */
  on<E extends ManagerEventName>(event: E, listener: ConnectionManagerEvents[E]): this;
  /** Listen once. */
  once<E extends ManagerEventName>(event: E, listener: ConnectionManagerEvents[E]): this;
  /** Stop listening. */
  off<E extends ManagerEventName>(event: E, listener?: ConnectionManagerEvents[E]): this;
}
