/**
 * One behaviour per kind of role (the role table's `behaviour` column): what a slot does with its
 * connection besides keeping it open. The slot owns the connection lifecycle (dial, generations, client
 * events, close, health snapshot) and hands every role-specific step to its behaviour.
 * @internal
 */
import type { CommandRunner } from './command-runner';
import { GlobalRoleBehaviour } from './global-role-behaviour';
import type { LiveConnection, OrderbookHost } from './live-connection';
import type { HealthCheckFailure } from './manager-events';
import type { SlotState } from './manager-stats';
import { OrderbookBehaviour } from './orderbook-behaviour';
import type { PoolContext } from './pool-context';
import type { RoleBehaviourKind, RoleSpec, SlotRole } from './roles';
import type { SlotBook } from './slot-book';
import type { SnapshotWatch } from './snapshot-watch';

/** What a behaviour sees of its slot: the connection, never the slot's internals. @internal */
export interface BehaviourHost extends Omit<OrderbookHost, 'book' | 'snapshots'> {
  readonly role: SlotRole;
}

/** The role-specific half of a slot. @internal */
export interface SlotBehaviour {
  /** The markets the slot holds (a global role's book stays empty: placement covers per-market roles only). */
  readonly book: SlotBook;
  /** Counts snapshots for the "subscribed but silent" check; `undefined` when the role has none. */
  readonly snapshots: SnapshotWatch | undefined;
  /** The sid the role holds on the open connection. */
  readonly sid: number | undefined;
  /** Markets held now (for `health()`). */
  readonly markets: number;
  /** Markets placement assigned to the slot (for `health()`). */
  readonly placed: number;
  /** A connection generation opened: forget everything of the last one. */
  opened(): void;
  /** The generation ended (close or stop). */
  ended(): void;
  /** Subscribe what the role needs on `live` (after open, or once the pool runs). */
  restore(live: LiveConnection): void;
  /** Send pending market changes (the slot checks it is open and the pool runs). */
  flush(): void;
  /** Forget every market (circuit breaker: the pool re-places them). */
  clearBook(): void;
  /** A gap was counted on `sid`. */
  gap(sid: number): void;
  /** `sid` was lost (error 10/25 or 7) and already closed by the slot: subscribe again. */
  lost(sid: number, live: LiveConnection): void;
  /** A subscribe reply gave `sid`, still open on the slot. */
  onAdopted(sid: number): void;
  /** The slot gave up for good (auth, config or circuit breaker). */
  gaveUp(): void;
  /** The role's part of a health check: `undefined` when its subscription is confirmed (and in sync). */
  subscriptionFailure(): HealthCheckFailure | undefined;
  /** For `manager.ready()`: why the role does not stream all it should yet on a slot in `state` (never `failed`). */
  notReadyReason(state: SlotState): string | undefined;
  /** "Subscribed but silent" check and repair. @returns the sid repaired, if any. */
  repairIfSilent(now: number, silentMs: number): number | undefined;
}

type BehaviourFactory = (spec: RoleSpec, host: BehaviourHost, ctx: PoolContext, runner: CommandRunner) => SlotBehaviour;

/** The behaviour of each kind in the role table. @internal */
export const SLOT_BEHAVIOURS: Readonly<Record<RoleBehaviourKind, BehaviourFactory>> = Object.freeze({
  orderbook: (_spec, host, ctx, runner) => new OrderbookBehaviour(host, ctx, runner),
  'global-subscription': (spec, host, ctx, runner) => new GlobalRoleBehaviour(spec.channel, host, ctx, runner),
});

/** Builds the behaviour the role table names for `spec`. @internal */
export function createSlotBehaviour(spec: RoleSpec, host: BehaviourHost, ctx: PoolContext, runner: CommandRunner): SlotBehaviour {
  return SLOT_BEHAVIOURS[spec.behaviour](spec, host, ctx, runner);
}
