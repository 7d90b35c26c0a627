/**
 * Pool layout: which slot (connection id) plays which role.
 *
 * Slots are numbered from 1 in a fixed role order (ticker, trade, lifecycle, orderbook), so with the
 * defaults slots 1-2 carry `ticker`, 3-4 `trade`, 5-6 `market_lifecycle_v2` and 7-150 `orderbook_delta`
 * (the default layout is in README.md; the redundant pairs in docs/sequences.md).
 * @packageDocumentation
 */
import { Channel } from '../protocol/kalshi/channels';
import type { ChannelName } from '../protocol/kalshi/channels';

/** What a slot carries. */
export type SlotRole = 'ticker' | 'trade' | 'lifecycle' | 'orderbook';

/** Number of slots per role. */
export interface LayoutCounts {
  readonly ticker: number;
  readonly trade: number;
  readonly lifecycle: number;
  readonly orderbook: number;
}

/** One slot of the layout. */
export interface SlotSpec {
  /** Pool connection id, 1-based. */
  readonly connectionId: number;
  readonly role: SlotRole;
  /** The channel the slot subscribes. */
  readonly channel: ChannelName;
}

/** Roles in slot order. */
export const ROLE_ORDER: readonly SlotRole[] = Object.freeze(['ticker', 'trade', 'lifecycle', 'orderbook']);

/** The channel each role subscribes. */
export const ROLE_CHANNEL: Readonly<Record<SlotRole, ChannelName>> = Object.freeze({
  ticker: Channel.ticker,
  trade: Channel.trade,
  lifecycle: Channel.marketLifecycle,
  orderbook: Channel.orderbookDelta,
});

/**
 * Expands role counts into slot specs, numbered from 1 in {@link ROLE_ORDER}.
 * @example
 * buildLayout({ ticker: 2, trade: 2, lifecycle: 2, orderbook: 144 }).at(-1) // { connectionId: 150, role: 'orderbook', ... }
 */
export function buildLayout(counts: LayoutCounts): SlotSpec[] {
  const slots: SlotSpec[] = [];
  for (const role of ROLE_ORDER) {
    for (let i = 0; i < counts[role]; i++) {
      slots.push(Object.freeze({ connectionId: slots.length + 1, role, channel: ROLE_CHANNEL[role] }));
    }
  }
  return slots;
}

/** True for the roles whose slots each carry every message of a global channel (deduplicated pairs). */
export function isGlobalRole(role: SlotRole): boolean {
  return role !== 'orderbook';
}
