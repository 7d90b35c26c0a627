/**
 * The manager's typed event map (eventemitter3). Every payload is one object, so adding a field later
 * is not a breaking change.
 * @packageDocumentation
 */
import type { CloseKind } from '../client/client';
import type { SlotRole } from './layout';

/** A slot's client finished its handshake (first connect and every reconnect). */
export interface ConnectedEvent {
  readonly connectionId: number;
  readonly role: SlotRole;
  /** Client generation of the slot, from 1. */
  readonly generation: number;
}

/** A slot's connection ended while the pool was running. */
export interface DisconnectedEvent {
  readonly connectionId: number;
  readonly role: SlotRole;
  readonly generation: number;
  readonly kind: CloseKind;
  readonly code: number | undefined;
  readonly reason: string;
  readonly error: Error | undefined;
}

/** A slot is about to dial again. */
export interface ReconnectingEvent {
  readonly connectionId: number;
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
  readonly connectionId: number;
  readonly role: SlotRole;
  readonly generation: number;
  /** Dials it took. */
  readonly attempts: number;
  /** Time without a connection, ms. */
  readonly downtimeMs: number;
}

/** A sequence gap on a sid. */
export interface GapEvent {
  readonly connectionId: number;
  readonly role: SlotRole;
  readonly sid: number;
  /** The seq that should have come. */
  readonly expected: number;
  /** The seq that came. */
  readonly received: number;
  readonly gapSize: number;
}

/** How a repair ended. */
export type RepairOutcome = 'ok' | 'failed' | 'skipped';

/** A gap repair (`get_snapshot` over the sid's markets) finished. */
export interface RepairEvent {
  readonly connectionId: number;
  readonly sid: number;
  readonly outcome: RepairOutcome;
  /** Markets whose snapshots were requested. */
  readonly markets: number;
  /** Why it failed, when it did. */
  readonly error: Error | undefined;
}

/** A sid was subscribed again after error 10/25 (or was otherwise lost). */
export interface ResubscribeEvent {
  readonly connectionId: number;
  readonly role: SlotRole;
  /** The sid that was lost. */
  readonly sid: number;
  /** Kalshi's error code. */
  readonly kalshiCode: number | undefined;
}

/** The connected count fell below `minHealthyConnections` (`healthy: false`) or came back (`healthy: true`). */
export interface DegradedEvent {
  readonly healthy: boolean;
  readonly connected: number;
  readonly required: number;
}

/** A background failure. Fatal ones took a slot out for good (credentials, circuit breaker). */
export interface ManagerErrorEvent {
  /** The slot concerned, if any. */
  readonly connectionId: number | undefined;
  readonly error: Error;
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
  connected: (event: ConnectedEvent) => void;
  disconnected: (event: DisconnectedEvent) => void;
  reconnecting: (event: ReconnectingEvent) => void;
  reconnected: (event: ReconnectedEvent) => void;
  gap: (event: GapEvent) => void;
  repair: (event: RepairEvent) => void;
  resubscribed: (event: ResubscribeEvent) => void;
  degraded: (event: DegradedEvent) => void;
  error: (event: ManagerErrorEvent) => void;
  unplaced: (event: UnplacedEvent) => void;
}

/** Name of a manager event. */
export type ManagerEventName = keyof ConnectionManagerEvents;
