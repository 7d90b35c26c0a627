/**
 * Pool layout: which slot (connection id) plays which role.
 *
 * Slots are numbered from 1 in the role order of the role table (`roles.ts`: ticker, trade, lifecycle,
 * orderbook), so with the defaults slots 1-2 carry `ticker`, 3-4 `trade`, 5-6 `market_lifecycle_v2` and
 * 7-150 `orderbook_delta` (the default layout is in README.md; the redundant pairs in docs/sequences.md).
 * @packageDocumentation
 */
import type { ChannelName } from '../protocol/kalshi/channels';
import { ROLES } from './roles';
import type { SlotRole } from './roles';

export type { SlotRole } from './roles';

/** Number of slots per role. */
export type LayoutCounts = Readonly<Record<SlotRole, number>>;

/** One slot of the layout. */
export interface SlotSpec {
  /** Pool connection id, 1-based. */
  readonly connectionId: number;
  readonly role: SlotRole;
  /** The channel the slot subscribes. */
  readonly channel: ChannelName;
}

/**
 * Expands role counts into slot specs, numbered from 1 in the role table's order.
 * @example
 * buildLayout({ ticker: 2, trade: 2, lifecycle: 2, orderbook: 144 }).at(-1) // { connectionId: 150, role: 'orderbook', ... }
 */
export function buildLayout(counts: LayoutCounts): SlotSpec[] {
  const slots: SlotSpec[] = [];
  for (const { role, channel } of ROLES) {
    for (let i = 0; i < counts[role]; i++) slots.push(Object.freeze({ connectionId: slots.length + 1, role, channel }));
  }
  return slots;
}

/** Total number of slots of a layout. */
export function slotCount(counts: LayoutCounts): number {
  let total = 0;
  for (const { role } of ROLES) total += counts[role];
  return total;
}
