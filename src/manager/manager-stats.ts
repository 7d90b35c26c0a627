/**
 * `health()` and `stats()` snapshot types, the mutable counters behind them, and the builders.
 * Snapshots are plain frozen-free objects with no references to internals.
 * @packageDocumentation
 */
import type { SlotRole } from './layout';

/** Where a slot is. */
export type SlotState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'stopped';

/** Where the manager is. */
export type ManagerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** One connection in {@link ManagerHealth}. */
export interface ConnectionHealth {
  /** Pool connection (slot) id, 1-based. */
  readonly connectionId: number;
  /** What the slot carries. */
  readonly role: SlotRole;
  /** Where the slot is. */
  readonly state: SlotState;
  /** Client generation (dials that succeeded or are in progress), from 1. */
  readonly generation: number;
  /** Sids the connection holds now. */
  readonly sids: number[];
  /** Orderbook: markets the server confirmed on the sid; 0 for global roles. */
  readonly markets: number;
  /** Orderbook: markets placed on this slot (held or pending). */
  readonly placed: number;
  /** Orderbook: markets waiting to be added or removed (not counting the command in flight). */
  readonly pending: number;
  /** Orderbook: nothing pending and nothing in flight (always true for global roles). */
  readonly inSync: boolean;
  /** Time since the last inbound frame, ms; `undefined` before the first. */
  readonly lastFrameAgeMs: number | undefined;
  /** Successful reconnects so far. */
  readonly reconnects: number;
  /** Consecutive failed dials now. */
  readonly failedDials: number;
  /** Consecutive failed health-loop checks now (0 when the last check passed). */
  readonly failedChecks: number;
  /** True from the health loop's `degraded` event for this connection until its all-clear. */
  readonly degraded: boolean;
}

/** `health()`: is the pool fit to stream? */
export interface ManagerHealth {
  /** Where the manager is. */
  readonly state: ManagerState;
  /** `connected >= required` while running. */
  readonly healthy: boolean;
  /** Slots whose connection is open now. */
  readonly connected: number;
  /** `minHealthyConnections`. */
  readonly required: number;
  /** Slots in the layout. */
  readonly total: number;
  /** One entry per slot, in connection id order. */
  readonly connections: ConnectionHealth[];
  /** Markets assigned to a slot. */
  readonly placed: number;
  /** Markets without room. */
  readonly unplaced: number;
  /** Messages waiting in the output queue. */
  readonly queueDepth: number;
  /** True while socket reads are paused for backpressure. */
  readonly paused: boolean;
  /** Commands sent and not answered yet (pool-wide). */
  readonly pendingCommands: number;
}

/** `stats()`: counters since creation. */
export interface ManagerStats {
  /** Messages handed to the consumer (or router). */
  readonly messagesDelivered: number;
  /** Messages put on the output queue. */
  readonly messagesQueued: number;
  /** Messages waiting in the output queue now. */
  readonly queueDepth: number;
  /** Messages dropped by the queue's overflow policy. */
  readonly queueDrops: number;
  /** Frames with a seq at or below the last one (dropped). */
  readonly duplicateDrops: number;
  /** Redundant-pair copies dropped by deduplication. */
  readonly redundantDrops: number;
  /** Frames of sids the slot does not hold (dropped). */
  readonly unknownSidDrops: number;
  /** Sequence gaps detected. */
  readonly gaps: number;
  /** Messages missing in those gaps (sum of `gapSize`). */
  readonly gapMessages: number;
  /** Gap repairs (`get_snapshot`) by outcome. */
  readonly repairs: {
    /** Repairs whose snapshots all arrived. */
    readonly ok: number;
    /** Repairs that failed (rejected, timed out). */
    readonly failed: number;
    /** Repairs not run (disabled, nothing held, connection or sid gone). */
    readonly skipped: number;
  };
  /** Sids subscribed again after error 10/25/7. */
  readonly resubscribes: number;
  /** Orderbook sids found "subscribed but silent" by the health loop (and repaired). */
  readonly silentSubscriptions: number;
  /** Reconnect loop results. */
  readonly reconnects: {
    /** Reconnect loops that got the slot back. */
    readonly success: number;
    /** Failed dials of the reconnect loops (a failed first dial counts once the pool runs). */
    readonly failed: number;
  };
  /** The pool's own commands (subscribes, updates, repairs, unsubscribes). */
  readonly commands: {
    /** Commands sent. */
    readonly sent: number;
    /** Commands that failed (rejected, timed out). */
    readonly failed: number;
    /** Commands waiting for a reply now. */
    readonly pending: number;
  };
  /** Market placement. */
  readonly markets: {
    /** Markets assigned to a slot. */
    readonly placed: number;
    /** Markets without room. */
    readonly unplaced: number;
    /** Markets dropped after their add was rejected too often. */
    readonly rejected: number;
  };
}

/**
 * Mutable counters (plain number fields so the hot path increments without allocation).
 * @internal
 */
export class ManagerCounters {
  messagesQueued = 0;
  duplicateDrops = 0;
  redundantDrops = 0;
  unknownSidDrops = 0;
  gaps = 0;
  gapMessages = 0;
  repairsOk = 0;
  repairsFailed = 0;
  repairsSkipped = 0;
  resubscribes = 0;
  silentSubscriptions = 0;
  reconnectsSuccess = 0;
  reconnectsFailed = 0;
  commandsSent = 0;
  commandsFailed = 0;
  commandsPending = 0;
  marketsRejected = 0;
}

/** What the stats builder reads besides the counters. @internal */
export interface StatsSources {
  readonly queueDepth: number;
  readonly queueDrops: number;
  readonly placed: number;
  readonly unplaced: number;
}

/** Builds a {@link ManagerStats} snapshot. @internal */
export function buildStats(c: ManagerCounters, s: StatsSources): ManagerStats {
  return {
    messagesDelivered: Math.max(0, c.messagesQueued - s.queueDepth - s.queueDrops),
    messagesQueued: c.messagesQueued,
    queueDepth: s.queueDepth,
    queueDrops: s.queueDrops,
    duplicateDrops: c.duplicateDrops,
    redundantDrops: c.redundantDrops,
    unknownSidDrops: c.unknownSidDrops,
    gaps: c.gaps,
    gapMessages: c.gapMessages,
    repairs: { ok: c.repairsOk, failed: c.repairsFailed, skipped: c.repairsSkipped },
    resubscribes: c.resubscribes,
    silentSubscriptions: c.silentSubscriptions,
    reconnects: { success: c.reconnectsSuccess, failed: c.reconnectsFailed },
    commands: { sent: c.commandsSent, failed: c.commandsFailed, pending: c.commandsPending },
    markets: { placed: s.placed, unplaced: s.unplaced, rejected: c.marketsRejected },
  };
}
