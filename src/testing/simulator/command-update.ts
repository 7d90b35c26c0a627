import { isSid, marketsOf, rateLimited, readTickers, replyError, replySidError } from './command-env';
import type { CommandEnv, ParsedCommand } from './command-env';
import { sendFollowUps, sendUpdateOk } from './command-subscribe';
import type { SimSession } from './session';

/**
 * The one sid an `update_subscription` names (`sid: n` or `sids: [n]`).
 * @returns the sid, or the Kalshi error code to answer (11 wrong type, 12 not exactly one).
 */
function oneSid(params: Record<string, unknown>): { sid: number } | { code: number } {
  const single = params['sid'];
  const many = params['sids'];
  const found = new Set<number>();
  if (single !== undefined) {
    if (!isSid(single)) return { code: 11 };
    found.add(single);
  }
  if (many !== undefined) {
    if (!Array.isArray(many) || !many.every(isSid)) return { code: 11 };
    for (const sid of many as number[]) found.add(sid);
  }
  if (found.size !== 1) return { code: 12 };
  return { sid: [...found][0]! };
}

/**
 * `update_subscription`: `add_markets` / `delete_markets` answer `ok` (full list, one seq) and send
 * snapshots for added orderbook markets; `get_snapshot` answers only with snapshots carrying the
 * command id, each taking a seq, and no `ok`. Errors 2, 7, 11–15, 26, 27 as Kalshi sends them.
 */
export function updateSubscription(env: CommandEnv, session: SimSession, { id, params }: ParsedCommand): void {
  if (params === undefined) return replyError(env, session, id, 2);
  const target = oneSid(params);
  if ('code' in target) return replyError(env, session, id, target.code);
  const sub = session.subs.get(target.sid);
  if (sub === undefined) return replyError(env, session, id, 7);
  const action = params['action'];
  if (action === undefined || action === '') return replySidError(env, sub, id, 15);
  if (typeof action !== 'string') return replySidError(env, sub, id, 11);
  if (action !== 'add_markets' && action !== 'delete_markets' && action !== 'get_snapshot') {
    return replySidError(env, sub, id, 13);
  }
  if (rateLimited(env, sub, id)) return;
  // Lifecycle and filter-less ticker/trade sids have no market list to change; snapshots are orderbook-only.
  const isBook = sub.channel === 'orderbook_delta';
  if ((action === 'get_snapshot' && !isBook) || sub.global) return replySidError(env, sub, id, 13);
  const tickers = readTickers(params);
  if (tickers === 'invalid') return replySidError(env, sub, id, 11);
  if (tickers === undefined || tickers.length === 0) return replySidError(env, sub, id, 14);

  if (action === 'get_snapshot') {
    for (const ticker of tickers) {
      const market = sub.markets.get(ticker);
      // Markets the sid does not hold are skipped.
      if (market !== undefined && sub.open) env.publisher.snapshot(sub, market, id);
    }
    return;
  }
  if (action === 'delete_markets') {
    env.registry.removeMarkets(sub, tickers);
    return sendUpdateOk(session, sub, id);
  }
  const markets = marketsOf(env, tickers);
  let fresh = 0;
  for (const market of markets) if (!sub.markets.has(market.ticker)) fresh++;
  if (sub.markets.size + fresh > env.limits.marketsPerSubscription) return replySidError(env, sub, id, 26);
  const added = env.registry.addMarkets(sub, markets);
  sendUpdateOk(session, sub, id);
  sendFollowUps(env, [{ sub, markets: added, tickerSnapshot: false }]);
}
