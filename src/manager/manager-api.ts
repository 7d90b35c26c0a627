/**
 * The public surface of the connection manager.
 * @packageDocumentation
 */
import type { RawMessage } from '../raw-message';
import type { ConnectionManagerEvents, ManagerEventName } from './manager-events';
import type { ManagerHealth, ManagerState, ManagerStats } from './manager-stats';
import type { ConnectionStats } from './connection-stats';

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
  /** Stop taking changes, cancel reconnects, close every socket, end the iterable after what is queued. Idempotent. */
  stop(): Promise<void>;
  /**
   * The message stream (single consumer). Breaking out does not stop the pool.
   * @throws {StateError} with a router, or while another consumer reads. @throws {ClosedError} after `stop()`.
   */
  messages(): AsyncIterableIterator<RawMessage>;
  /** Like {@link messages} but yields arrays of up to `maxBatch` queued messages. @default maxBatch 512 */
  batches(maxBatch?: number): AsyncIterableIterator<RawMessage[]>;
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
