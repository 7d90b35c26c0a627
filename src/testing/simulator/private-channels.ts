/**
 * Kalshi's private channels on the simulator: `fill`, `user_orders`, `market_positions` and
 * `order_group_updates`. A connection signed with an account key subscribes to them like any channel
 * (one `subscribed` per channel, a sid each); their frames carry no `seq` and go to every open
 * connection of that account holding the channel.
 */
import type { SimAccount, SimAccounts, SimFill } from './accounts';
import { priceDollars, sizeFp } from './fixed-point';
import { envelope, errorFrame, subscribedFrame } from './frames';
import type { SimSession } from './session';

/** The private channel names. */
export const PRIVATE_CHANNELS = ['fill', 'user_orders', 'market_positions', 'order_group_updates'] as const;

/** A private channel name. */
export type PrivateSimChannel = (typeof PRIVATE_CHANNELS)[number];

function isPrivate(name: unknown): name is PrivateSimChannel {
  return typeof name === 'string' && (PRIVATE_CHANNELS as readonly string[]).includes(name);
}

/** Private subscriptions of the open sessions, and publishing to them. */
export class PrivateChannels {
  readonly #subs = new WeakMap<SimSession, Map<PrivateSimChannel, number>>();

  constructor(
    private readonly accounts: SimAccounts,
    private readonly sessions: ReadonlyMap<number, SimSession>,
  ) {
    accounts.onFill((account, fill) => this.publishFill(account, fill));
  }

  /**
   * Handles a `subscribe` naming only private channels (returns true), answering one `subscribed`
   * per channel. A connection signed with a non-account key gets error 9 (authentication required).
   * Subscribes that name a public channel are left to the public handler (returns false).
   */
  subscribe(session: SimSession, id: number, params: Record<string, unknown> | undefined): boolean {
    const channels = params?.['channels'];
    if (!Array.isArray(channels) || channels.length === 0 || !channels.every(isPrivate)) return false;
    if (this.accounts.accountOfKey(session.keyId) === undefined) {
      session.send(errorFrame(session.alphabetical, id, 9));
      return true;
    }
    let held = this.#subs.get(session);
    if (held === undefined) {
      held = new Map();
      this.#subs.set(session, held);
    }
    for (const channel of new Set(channels)) {
      const sid = held.get(channel) ?? session.nextSid++;
      held.set(channel, sid);
      session.send(subscribedFrame(session.alphabetical, id, channel, sid));
    }
    return true;
  }

  /** Sends a fill, the order's update and the position change to the account's connections. */
  publishFill(account: SimAccount, fill: SimFill): void {
    const position = account.positions.get(fill.ticker);
    const fillMsg =
      `{"trade_id":"${fill.fillId}","order_id":"${fill.orderId}","market_ticker":"${fill.ticker}","is_taker":true,` +
      `"side":"${fill.side}","yes_price_dollars":"${priceDollars(fill.yesPrice)}","count_fp":"${sizeFp(fill.count)}",` +
      `"action":"${fill.action}","ts":${fill.ts},"post_position_fp":"${sizeFp(fill.postPosition)}","purchased_side":"${fill.side}"}`;
    const orderMsg =
      `{"order_id":"${fill.orderId}","user_id":"${account.userId}","ticker":"${fill.ticker}","status":"executed",` +
      `"side":"${fill.side}","is_yes":${fill.side === 'yes'},"yes_price_dollars":"${priceDollars(fill.yesPrice)}",` +
      `"fill_count_fp":"${sizeFp(fill.count)}","remaining_count_fp":"0.00","initial_count_fp":"${sizeFp(fill.count)}",` +
      `"created_time":"${new Date(fill.ts * 1000).toISOString()}"}`;
    const positionMsg =
      position === undefined
        ? undefined
        : `{"user_id":"${account.userId}","market_ticker":"${fill.ticker}","position_fp":"${sizeFp(position.position)}",` +
          `"position_cost_dollars":"${(position.cost / 10_000).toFixed(4)}","realized_pnl_dollars":"0.0000",` +
          `"fees_paid_dollars":"0.0000","volume_fp":"${sizeFp(position.volume)}"}`;
    const keys = new Set(this.accounts.keysOf(account));
    for (const session of this.sessions.values()) {
      if (!session.open || !keys.has(session.keyId)) continue;
      const held = this.#subs.get(session);
      if (held === undefined) continue;
      const a = session.alphabetical;
      const orderSid = held.get('user_orders');
      if (orderSid !== undefined) session.send(envelope(a, 'user_order', orderSid, undefined, orderMsg));
      const fillSid = held.get('fill');
      if (fillSid !== undefined) session.send(envelope(a, 'fill', fillSid, undefined, fillMsg));
      const positionSid = held.get('market_positions');
      if (positionSid !== undefined && positionMsg !== undefined) session.send(envelope(a, 'market_position', positionSid, undefined, positionMsg));
    }
  }

  /** Terminates every open connection of the account (fault: drop while fills flow). @returns connections dropped. */
  drop(account: SimAccount): number {
    const keys = new Set(this.accounts.keysOf(account));
    let n = 0;
    for (const session of this.sessions.values()) {
      if (session.open && keys.has(session.keyId)) {
        session.ws.terminate();
        n++;
      }
    }
    return n;
  }

  /** Open connections of the account. */
  openConnections(account: SimAccount): number {
    const keys = new Set(this.accounts.keysOf(account));
    let n = 0;
    for (const session of this.sessions.values()) if (session.open && keys.has(session.keyId)) n++;
    return n;
  }
}
