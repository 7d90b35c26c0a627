/**
 * The role table: everything the pool knows about a kind of slot, in one place. The layout, the
 * options resolver, the manager (placement, dedupe windows), the slot (which behaviour it runs) and the
 * frame path read this table instead of naming roles themselves. Adding a Kalshi channel starts with a
 * row here (docs/architecture.md "Where everyday changes go").
 * @packageDocumentation
 */
import { Channel } from '../protocol/kalshi/channels';
import type { ChannelName } from '../protocol/kalshi/channels';

/** What a slot carries. Slots are numbered from 1 in the order ticker, trade, lifecycle, orderbook. */
export type SlotRole = 'ticker' | 'trade' | 'lifecycle' | 'orderbook';

/**
 * How a slot of the role works:
 * - `orderbook`: a per-market book (markets placed on the slot, batched subscribe / add / delete, gap
 *   repair with `get_snapshot`, the "subscribed but silent" check);
 * - `global-subscription`: one `subscribe([channel])` without markets, redone when lost.
 * @internal
 */
export type RoleBehaviourKind = 'orderbook' | 'global-subscription';

/** One row of the role table. @internal */
export interface RoleSpec {
  readonly role: SlotRole;
  /** The channel its slots subscribe. */
  readonly channel: ChannelName;
  /**
   * `per-market`: each slot holds its own share of the markets (placement decides which);
   * `global`: each slot carries every message of the channel.
   */
  readonly scope: 'per-market' | 'global';
  /**
   * Its slots carry copies of one stream, so with two or more of them a dedupe window matches the copies
   * (dropped with `redundant: 'dedupe'`).
   */
  readonly redundant: boolean;
  /** Its messages also go to `registry.onLifecycle` (once each, even with `redundant: 'all'`). */
  readonly lifecycleSink: boolean;
  /** Which slot behaviour runs it. */
  readonly behaviour: RoleBehaviourKind;
}

/**
 * The role table, keyed by role; its key order is the slot order of the layout. A per-market role runs
 * the `orderbook` behaviour, a global one its `global-subscription` (test/unit/manager/roles.test.ts).
 * @internal
 */
export const ROLE_TABLE: Readonly<Record<SlotRole, RoleSpec>> = freezeRows({
  ticker: { role: 'ticker', channel: Channel.ticker, scope: 'global', redundant: true, lifecycleSink: false, behaviour: 'global-subscription' },
  trade: { role: 'trade', channel: Channel.trade, scope: 'global', redundant: true, lifecycleSink: false, behaviour: 'global-subscription' },
  lifecycle: { role: 'lifecycle', channel: Channel.marketLifecycle, scope: 'global', redundant: true, lifecycleSink: true, behaviour: 'global-subscription' },
  orderbook: { role: 'orderbook', channel: Channel.orderbookDelta, scope: 'per-market', redundant: false, lifecycleSink: false, behaviour: 'orderbook' },
});

/** The table's rows in slot order. @internal */
export const ROLES: readonly RoleSpec[] = Object.freeze(Object.values(ROLE_TABLE));

function freezeRows(rows: Record<SlotRole, RoleSpec>): Readonly<Record<SlotRole, RoleSpec>> {
  for (const spec of Object.values(rows)) Object.freeze(spec);
  return Object.freeze(rows);
}

/** The role's row. @internal */
export function roleSpec(role: SlotRole): RoleSpec {
  return ROLE_TABLE[role];
}

/**
 * Whether the pool keeps a dedupe window for `role`: a redundant role with two or more slots, when
 * copies are dropped (`redundant: 'dedupe'`) or when the registry must see each lifecycle message once.
 * @internal
 */
export function needsDedupeWindow(role: SlotRole, slots: number, redundant: 'dedupe' | 'all'): boolean {
  const spec = ROLE_TABLE[role];
  return spec.redundant && slots >= 2 && (redundant === 'dedupe' || spec.lifecycleSink);
}
