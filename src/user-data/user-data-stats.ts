/**
 * `health()` and `stats()` snapshot types of the user-data manager and the counters behind them.
 * @packageDocumentation
 */
import type { DeactivationReason, ReconnectReason } from './user-data-events';

/** Where one account's connection is. */
export type AccountState = 'connecting' | 'open' | 'reconnecting' | 'deactivated' | 'stopped';

/** Where the user-data manager is. */
export type UserDataState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** One account in {@link UserDataHealth}. */
export interface AccountHealth {
  /** Opaque account id. */
  readonly accountId: string;
  /** Where its connection is. */
  readonly state: AccountState;
  /** Connection generation, from 1. */
  readonly generation: number;
  /** Why it is deactivated, when it is. */
  readonly deactivatedReason: DeactivationReason | undefined;
  /** Time since the last inbound frame, ms; `undefined` before the first. */
  readonly lastFrameAgeMs: number | undefined;
  /** Successful reconnects. */
  readonly reconnects: number;
  /** Consecutive failed dials now. */
  readonly failedDials: number;
  /** Consecutive failed health checks now. */
  readonly failedChecks: number;
  /** True between the `degraded` event and its all-clear. */
  readonly degraded: boolean;
  /** Fill ids remembered for deduplication. */
  readonly fillsRemembered: number;
}

/** `health()`: are the accounts streaming? */
export interface UserDataHealth {
  /** Where the manager is. */
  readonly state: UserDataState;
  /** Running, and every active account open and not degraded. */
  readonly healthy: boolean;
  /** Accounts known. */
  readonly total: number;
  /** Accounts whose connection is open. */
  readonly connected: number;
  /** Accounts deactivated for credentials. */
  readonly deactivated: number;
  /** One entry per account, by account id. */
  readonly accounts: AccountHealth[];
  /** Messages waiting in the output queue. */
  readonly queueDepth: number;
  /** True while socket reads are paused for backpressure. */
  readonly paused: boolean;
}

/** `stats()`: counters since creation. */
export interface UserDataStats {
  /** Messages put on the output queue (socket frames and backfilled fills). */
  readonly messagesQueued: number;
  /** Messages waiting now. */
  readonly queueDepth: number;
  /** Messages dropped by the overflow policy. */
  readonly messagesDropped: number;
  /** Accounts by state now. */
  readonly connections: Readonly<Record<AccountState, number>>;
  /** Redials by reason (how the previous connection ended, or a failed dial). */
  readonly reconnects: Readonly<Record<ReconnectReason, number>>;
  /**
   * Hot-reload operations applied: `added` (accounts connected because they appeared in the source),
   * `removed` (closed because they left it), `rekeyed` (redialled or reactivated with a new signer).
   */
  readonly hotReload: Readonly<Record<'added' | 'removed' | 'rekeyed', number>>;
  /** Reconciliations by outcome: `ok` (source read and applied), `failed` (source read failed; nothing changed). */
  readonly reconciliations: Readonly<Record<'ok' | 'failed', number>>;
  /** Fills delivered from REST backfills. */
  readonly fillsBackfilled: number;
  /** Fills dropped as already delivered (socket/backfill overlap). */
  readonly fillsDeduplicated: number;
  /**
   * Backfills by outcome: `ok` (every page read, and the positions snapshot when asked), `failed` (a
   * REST request failed; retried from the same point on the next connection).
   */
  readonly backfills: Readonly<Record<'ok' | 'failed', number>>;
  /** Positions snapshots delivered. */
  readonly positionsSnapshots: number;
  /** Deactivations so far. */
  readonly deactivations: number;
}

/** Mutable counters behind {@link UserDataStats}. @internal */
export class UserDataCounters {
  messagesQueued = 0;
  messagesDropped = 0;
  readonly reconnects: Record<ReconnectReason, number> = { clean: 0, error: 0, stale: 0, terminated: 0, 'dial-failed': 0 };
  added = 0;
  removed = 0;
  rekeyed = 0;
  reconcileOk = 0;
  reconcileFailed = 0;
  fillsBackfilled = 0;
  fillsDeduplicated = 0;
  backfillOk = 0;
  backfillFailed = 0;
  positionsSnapshots = 0;
  deactivations = 0;
  /** Read by the pool's Reconnector through the adapter. */
  reconnectsSuccess = 0;
  /** Read by the pool's Reconnector through the adapter. */
  reconnectsFailed = 0;
}
