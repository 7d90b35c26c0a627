import type { SimMarket } from './market-universe';
import type { SimSession } from './session';
import type { StatsCounters } from './stats';
import { SimSubscription } from './subscription';
import type { SimChannel } from './subscription';

function removeFrom<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at === -1) return;
  // Order does not matter: swap with the last and pop, O(1).
  list[at] = list[list.length - 1]!;
  list.pop();
}

/**
 * Every open subscription of the simulator, by channel, plus the market → orderbook-sid links that
 * let one delta reach every sid holding its market.
 */
export class SubscriptionRegistry {
  /** Open subscriptions per channel (unordered). */
  readonly byChannel: Readonly<Record<SimChannel, SimSubscription[]>> = {
    orderbook_delta: [],
    ticker: [],
    trade: [],
    market_lifecycle_v2: [],
  };

  constructor(private readonly stats: StatsCounters) {}

  /** Open a new sid of `channel` on `session` (the caller checked the channel is not held yet). */
  open(session: SimSession, channel: SimChannel, global: boolean): SimSubscription {
    const sub = new SimSubscription(session.nextSid++, channel, session, global);
    session.subs.set(sub.sid, sub);
    session.byChannel.set(channel, sub);
    this.byChannel[channel].push(sub);
    return sub;
  }

  /**
   * Add markets to a subscription.
   * @returns the markets that were new to it, in request order.
   */
  addMarkets(sub: SimSubscription, markets: readonly SimMarket[]): SimMarket[] {
    const added: SimMarket[] = [];
    const isBook = sub.channel === 'orderbook_delta';
    for (const market of markets) {
      if (sub.markets.has(market.ticker)) continue;
      sub.markets.set(market.ticker, market);
      if (isBook) {
        if (market.holders === undefined) market.holders = [sub];
        else market.holders.push(sub);
      }
      added.push(market);
    }
    return added;
  }

  /** Remove markets from a subscription (tickers it does not hold are ignored). */
  removeMarkets(sub: SimSubscription, tickers: readonly string[]): void {
    const isBook = sub.channel === 'orderbook_delta';
    for (const ticker of tickers) {
      const market = sub.markets.get(ticker);
      if (market === undefined) continue;
      sub.markets.delete(ticker);
      if (isBook && market.holders !== undefined) removeFrom(market.holders, sub);
    }
  }

  /** Close a subscription server-side: no more frames, sid forgotten, counters retired. */
  drop(sub: SimSubscription): void {
    if (!sub.open) return;
    sub.open = false;
    const session = sub.session;
    session.subs.delete(sub.sid);
    if (session.byChannel.get(sub.channel) === sub) session.byChannel.delete(sub.channel);
    removeFrom(this.byChannel[sub.channel], sub);
    if (sub.channel === 'orderbook_delta') {
      for (const market of sub.markets.values()) if (market.holders !== undefined) removeFrom(market.holders, sub);
    }
    sub.markets.clear();
    this.stats.retireSid(session.id, sub.sid, sub.framesSent);
  }

  /** Drop every subscription of a connection (it closed). */
  dropAll(session: SimSession): void {
    for (const sub of [...session.subs.values()]) this.drop(sub);
  }
}
