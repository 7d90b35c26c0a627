import { isSid, marketsOf, rateLimited, readTickers, replyError, replySidError } from './command-env';
import type { CommandEnv, ParsedCommand } from './command-env';
import { envelope, subscribedFrame } from './frames';
import type { SimMarket } from './market-universe';
import type { SimSession } from './session';
import { isSimChannel } from './subscription';
import type { SimChannel, SimSubscription } from './subscription';

/** Frames sent after every reply of a command (snapshots), in order. */
type FollowUp = { readonly sub: SimSubscription; readonly markets: readonly SimMarket[]; readonly tickerSnapshot: boolean };

/** `ok` for an update on a sid: the full market list after it, and a seq on sequenced channels. */
export function sendUpdateOk(session: SimSession, sub: SimSubscription, id: number): void {
  const seq = sub.sequenced ? sub.nextSeq() : undefined;
  session.sendOnSub(sub, envelope(session.alphabetical, 'ok', sub.sid, seq, `{"market_tickers":${sub.tickersJson()}}`, id));
}

/** Snapshots (orderbook, one seq each) or initial tickers (ticker with `send_initial_snapshot`). */
export function sendFollowUps(env: CommandEnv, followUps: readonly FollowUp[]): void {
  for (const { sub, markets, tickerSnapshot } of followUps) {
    for (const market of markets) {
      if (!sub.open) break;
      if (sub.channel === 'orderbook_delta') env.publisher.snapshot(sub, market);
      else if (tickerSnapshot) env.publisher.ticker(market, sub);
    }
  }
}

/** Merge a repeat subscribe into the sid already held for that channel: `ok`, snapshots for new markets only. */
function merge(
  env: CommandEnv,
  sub: SimSubscription,
  id: number,
  markets: readonly SimMarket[] | undefined,
  followUps: FollowUp[],
  tickerSnapshot: boolean,
): void {
  if (rateLimited(env, sub, id)) return;
  if (markets === undefined) {
    // A filter-less repeat widens a filtered ticker/trade sid to every market.
    if (!sub.global && sub.channel !== 'orderbook_delta') {
      env.registry.removeMarkets(sub, [...sub.markets.keys()]);
      sub.global = true;
    }
  } else if (!sub.global) {
    let fresh = 0;
    for (const market of markets) if (!sub.markets.has(market.ticker)) fresh++;
    if (sub.markets.size + fresh > env.limits.marketsPerSubscription) return replySidError(env, sub, id, 26);
    const added = env.registry.addMarkets(sub, markets);
    followUps.push({ sub, markets: added, tickerSnapshot });
  }
  sendUpdateOk(sub.session, sub, id);
}

/**
 * `subscribe`: one `subscribed` per new channel (same id, sids in request order), `ok` for channels
 * already held (merge), then snapshots on seq 1..N for new orderbook markets.
 */
export function subscribe(env: CommandEnv, session: SimSession, { id, params }: ParsedCommand): void {
  if (params === undefined) return replyError(env, session, id, 2);
  const channels = params['channels'];
  if (channels === undefined) return replyError(env, session, id, 3);
  if (!Array.isArray(channels) || channels.some((c) => typeof c !== 'string')) return replyError(env, session, id, 11);
  if (channels.length === 0) return replyError(env, session, id, 3);
  const names = [...new Set(channels as string[])];
  if (!names.every(isSimChannel)) return replyError(env, session, id, 8);
  const tickers = readTickers(params);
  if (tickers === 'invalid') return replyError(env, session, id, 11);
  const filtered = tickers !== undefined && tickers.length > 0;
  if (names.includes('orderbook_delta') && !filtered) return replyError(env, session, id, 14);
  // Lifecycle is always global: a market filter is not allowed.
  if (names.includes('market_lifecycle_v2') && filtered) return replyError(env, session, id, 11);
  const markets = filtered ? marketsOf(env, tickers) : undefined;
  const tickerSnapshot = params['send_initial_snapshot'] === true;
  const followUps: FollowUp[] = [];
  for (const channel of names as SimChannel[]) {
    const held = session.byChannel.get(channel);
    if (held !== undefined) {
      merge(env, held, id, markets, followUps, tickerSnapshot);
      continue;
    }
    if (markets !== undefined && markets.length > env.limits.marketsPerSubscription) {
      replyError(env, session, id, 26);
      continue;
    }
    const sub = env.registry.open(session, channel, markets === undefined);
    sub.useYesPrice = params['use_yes_price'] === true;
    session.send(subscribedFrame(session.alphabetical, id, channel, sub.sid));
    if (markets !== undefined) followUps.push({ sub, markets: env.registry.addMarkets(sub, markets), tickerSnapshot });
  }
  sendFollowUps(env, followUps);
}

/** `unsubscribe`: `unsubscribed` per held sid (with a seq on sequenced channels), error 7 per unknown sid. */
export function unsubscribe(env: CommandEnv, session: SimSession, { id, params }: ParsedCommand): void {
  if (params === undefined) return replyError(env, session, id, 2);
  const sids = params['sids'];
  if (sids === undefined) return replyError(env, session, id, 4);
  if (!Array.isArray(sids) || !sids.every(isSid)) return replyError(env, session, id, 11);
  if (sids.length === 0) return replyError(env, session, id, 4);
  for (const sid of new Set(sids as number[])) {
    const sub = session.subs.get(sid);
    if (sub === undefined) {
      replyError(env, session, id, 7);
      continue;
    }
    if (rateLimited(env, sub, id)) continue;
    const seq = sub.sequenced ? sub.nextSeq() : undefined;
    session.sendOnSub(sub, envelope(session.alphabetical, 'unsubscribed', sub.sid, seq, undefined, id));
    env.registry.drop(sub);
  }
}

/** `list_subscriptions`: one `ok` (no sid, no seq) listing `{ channel, sid }` by sid. */
export function listSubscriptions(_env: CommandEnv, session: SimSession, { id }: ParsedCommand): void {
  const list = [...session.subs.values()]
    .sort((a, b) => a.sid - b.sid)
    .map((sub) => `{"channel":"${sub.channel}","sid":${sub.sid}}`)
    .join(',');
  session.send(envelope(session.alphabetical, 'ok', undefined, undefined, `[${list}]`, id));
}
