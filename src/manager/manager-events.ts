/**
 * The manager's typed event map (eventemitter3). Every payload is one object, so adding a field later
 * is not a breaking change.
 * @packageDocumentation
 */
import type { CloseKind } from '../client/client';
import type { UpdateAction } from '../protocol/kalshi/channels';
import type { SlotRole } from './layout';

/** A slot's client finished its handshake (first connect and every reconnect). */
export interface ConnectedEvent {
  /** Pool connection (slot) id, 1-based. */
  readonly connectionId: number;
  /** What the slot carries. */
  readonly role: SlotRole;
  /** Client generation of the slot, from 1. */
  readonly generation: number;
}

/** A slot's connection ended while the pool was running. */
export interface DisconnectedEvent {
  /** Pool connection (slot) id, 1-based. */
  readonly connectionId: number;
  /** What the slot carries. */
  readonly role: SlotRole;
  /** The client generation that ended. */
  readonly generation: number;
  /** Why it ended (see docs/errors.md). */
  readonly kind: CloseKind;
  /** WebSocket close code, when one was received or sent. */
  readonly code: number | undefined;
  /** Close reason text, possibly empty. */
  readonly reason: string;
  /** The error behind an `error` close (a `ClosedError` for code 1006). */
  readonly error: Error | undefined;
}

/** A slot is about to dial again. */
export interface ReconnectingEvent {
  /** Pool connection (slot) id, 1-based. */
  readonly connectionId: number;
  /** What the slot carries. */
  readonly role: SlotRole;
  /** Consecutive failures so far (0: first dial after a disconnect). */
  readonly attempt: number;
  /** The wait before this dial, ms. */
  readonly delayMs: number;
  /** Why the previous attempt failed, when it did. */
  readonly error: Error | undefined;
}

/** A slot is back; its subscriptions are being restored. */
export interface ReconnectedEvent {
  /** Pool connection (slot) id, 1-based. */
  readonly connectionId: number;
  /** What the slot carries. */
  readonly role: SlotRole;
  /** The new client generation. */
  readonly generation: number;
  /** Dials it took. */
  readonly attempts: number;
  /** Time without a connection, ms. */
  readonly downtimeMs: number;
}

/** A sequence gap on a sid. */
export interface GapEvent {
  /** Pool connection (slot) id, 1-based. */
  readonly connectionId: number;
  /** What the slot carries. */
  readonly role: SlotRole;
  /** The subscription whose seq jumped. */
  readonly sid: number;
  /** The seq that should have come. */
  readonly expected: number;
  /** The seq that came. */
  readonly received: number;
  /** Missing seqs: `received - expected`. */
  readonly gapSize: number;
}

/** How a repair ended. */
export type RepairOutcome = 'ok' | 'failed' | 'skipped';

/** A gap repair (`get_snapshot` over the sid's markets) finished. */
export interface RepairEvent {
  /** Pool connection (slot) id, 1-based. */
  readonly connectionId: number;
  /** The repaired orderbook subscription. */
  readonly sid: number;
  /** `ok`, `failed`, or `skipped` (repair disabled, nothing held, or the connection or sid went away). */
  readonly outcome: RepairOutcome;
  /** Markets whose snapshots were requested. */
  readonly markets: number;
  /** Why it failed, when it did. */
  readonly error: Error | undefined;
}

/** A sid was subscribed again after error 10/25 (or was otherwise lost). */
export interface ResubscribeEvent {
  /** Pool connection (slot) id, 1-based. */
  readonly connectionId: number;
  /** What the slot carries. */
  readonly role: SlotRole;
  /** The sid that was lost. */
  readonly sid: number;
  /** Kalshi's error code. */
  readonly kalshiCode: number | undefined;
}

/** Why the health loop failed a connection's check. */
export type HealthCheckFailure =
  /** The connection is not open (reconnecting, failed, ...). */
  | 'disconnected'
  /** No inbound frame (data, reply or ping) within the check interval. */
  | 'silent'
  /** The role's subscription is not held (global channel not subscribed, or an orderbook slot with markets but no sid). */
  | 'unsubscribed'
  /** Orderbook: market changes still pending or a command in flight at the check. */
  | 'out-of-sync';

/**
 * Something became degraded (`healthy: false`) or recovered (`healthy: true`). Two scopes share the event:
 * - `pool`: the connected count fell below `minHealthyConnections`, or came back to it;
 * - `connection`: the health loop failed one connection's check `failuresBeforeDegraded` times in a row,
 *   or (all-clear) that connection passed a check again. Emitted once per transition, never per tick.
 */
export interface DegradedEvent {
  /** `pool`: the connected count vs `minHealthyConnections`; `connection`: one connection's health checks. */
  readonly scope: 'pool' | 'connection';
  /** `false`: degraded now; `true`: the all-clear. */
  readonly healthy: boolean;
  /** Connected slots at the time. */
  readonly connected: number;
  /** `minHealthyConnections`. */
  readonly required: number;
  /** `connection` scope: the connection concerned; `undefined` for `pool`. */
  readonly connectionId: number | undefined;
  /** `connection` scope: its role. */
  readonly role: SlotRole | undefined;
  /** `connection` scope: the (last) failed check's reason. */
  readonly reason: HealthCheckFailure | undefined;
  /** `connection` scope: consecutive failed checks (0 in the all-clear); 0 for `pool`. */
  readonly consecutiveFailures: number;
}

/** Commands the pool sends. */
export type CommandName = 'subscribe' | 'unsubscribe' | 'update_subscription' | 'list_subscriptions';

/** How a command ended: answered ok, answered with a Kalshi error, timed out, or failed otherwise (closed, aborted). */
export type CommandOutcome = 'ok' | 'rejected' | 'timeout' | 'failed';

/** One command finished (any outcome); `durationMs` is its round trip on the pool clock. */
export interface CommandEvent {
  /** Pool connection (slot) id, 1-based. */
  readonly connectionId: number;
  /** What the slot carries. */
  readonly role: SlotRole;
  /** Command name. */
  readonly cmd: CommandName;
  /** `update_subscription`: its action. */
  readonly action: UpdateAction | undefined;
  /** How it ended. */
  readonly outcome: CommandOutcome;
  /** Round trip on the pool clock, ms. */
  readonly durationMs: number;
  /** Kalshi's error code when `rejected`. */
  readonly kalshiCode: number | undefined;
}

/** A background failure. Fatal ones took a slot out for good (credentials, circuit breaker). */
export interface ManagerErrorEvent {
  /** The slot concerned, if any. */
  readonly connectionId: number | undefined;
  /** What failed (usually a `KalshiWsPoolError`). */
  readonly error: Error;
  /** True when the slot gave up for good (credentials refused, or `reconnect.maxAttempts` reached). */
  readonly fatal: boolean;
}

/** Markets could not be placed for lack of room (or were taken off a full slot). */
export interface UnplacedEvent {
  /** Markets that just became unplaced. */
  readonly count: number;
  /** Unplaced markets in total now. */
  readonly total: number;
  /** The slot they came from, if any. */
  readonly connectionId: number | undefined;
}

/**
 * Events of a connection manager.
 * @example
 * manager.on('gap', ({ connectionId, sid, gapSize }) => log.warn({ connectionId, sid, gapSize }, 'gap'));
 */
export interface ConnectionManagerEvents {
  /** A slot's client finished its handshake (start and every reconnect). */
  connected: (event: ConnectedEvent) => void;
  /** A slot's open connection ended while the pool was running (not emitted by `stop()`). */
  disconnected: (event: DisconnectedEvent) => void;
  /** A slot waits `delayMs`, then dials again. */
  reconnecting: (event: ReconnectingEvent) => void;
  /** A slot's reconnect loop succeeded; its subscriptions are being restored. */
  reconnected: (event: ReconnectedEvent) => void;
  /** A sequence gap was detected on a sid. */
  gap: (event: GapEvent) => void;
  /** A `get_snapshot` repair of an orderbook sid finished. */
  repair: (event: RepairEvent) => void;
  /** A lost sid (error 10/25/7) is being subscribed again. */
  resubscribed: (event: ResubscribeEvent) => void;
  /** The pool or one connection became degraded, or recovered. */
  degraded: (event: DegradedEvent) => void;
  /** A background failure; `fatal` when a slot gave up for good. */
  error: (event: ManagerErrorEvent) => void;
  /** Markets could not be placed for lack of room. */
  unplaced: (event: UnplacedEvent) => void;
  /** A command finished (after its reply, timeout or failure). Per command, never per data frame. */
  command: (event: CommandEvent) => void;
}

/** Name of a manager event. */
export type ManagerEventName = keyof ConnectionManagerEvents;
