import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthVerifier } from './auth';
import type { Faults } from './faults';
import type { MarketUniverse, SimMarket } from './market-universe';
import { priceDollars } from './fixed-point';
import type { StatsCounters } from './stats';
import { handleOrderbookRest } from './rest-orderbook';

/** REST base path. */
export const REST_BASE_PATH = '/trade-api/v2';
/** The markets listing path (also the signed path). */
export const REST_MARKETS_PATH = `${REST_BASE_PATH}/markets`;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** What the REST handler needs from the simulator. */
export interface RestEnv {
  readonly faults: Faults;
  readonly auth: AuthVerifier;
  readonly stats: StatsCounters;
  readonly universe: MarketUniverse;
  /** Handles `/trade-api/v2/portfolio/*` (per-account REST, see rest-portfolio.ts). */
  readonly portfolio?: (req: IncomingMessage, res: ServerResponse, url: URL) => void;
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function marketJson(market: SimMarket, universe: MarketUniverse): Record<string, unknown> {
  const bid = universe.books.best(market.slot, 0);
  const noBid = universe.books.best(market.slot, 1);
  return {
    ticker: market.ticker,
    event_ticker: market.eventTicker,
    market_type: 'binary',
    status: market.status,
    open_time: new Date(market.openTs * 1000).toISOString(),
    close_time: new Date((market.openTs + 7 * 86_400) * 1000).toISOString(),
    yes_bid_dollars: priceDollars(bid),
    yes_ask_dollars: priceDollars(noBid === 0 ? 10_000 : 10_000 - noBid),
    last_price_dollars: priceDollars(universe.books.mid(market.slot) * 100),
  };
}

/**
 * `GET /trade-api/v2/markets?status=open&limit=&cursor=`: signed like the WebSocket (signed path
 * without query), cursor-paged (`cursor: ''` on the last page), reflecting markets added and ended.
 * Only `status=open` (or no status) lists markets; other statuses return an empty page.
 */
export function handleRest(env: RestEnv, req: IncomingMessage, res: ServerResponse): void {
  env.stats.restRequests++;
  const url = new URL(req.url ?? '/', 'http://simulator');
  if (handleOrderbookRest(env, url, req, res)) return;
  const portfolio = env.portfolio !== undefined && url.pathname.startsWith(`${REST_BASE_PATH}/portfolio/`);
  if (!portfolio && url.pathname !== REST_MARKETS_PATH) return send(res, 404, { error: { code: 'not_found', message: 'Not Found' } });
  if (req.method !== 'GET') return send(res, 405, { error: { code: 'method_not_allowed', message: 'Method Not Allowed' } });
  const injected = env.faults.takeRejection('rest');
  if (injected !== undefined) {
    const headers: Record<string, string> = injected.retryAfterSeconds === undefined ? {} : { 'retry-after': String(injected.retryAfterSeconds) };
    return send(res, injected.status, { error: { code: injected.status, message: 'injected' } }, headers);
  }
  if (portfolio) return env.portfolio!(req, res, url);
  if (!env.auth.verify(req.headers, 'GET', REST_MARKETS_PATH).ok) {
    return send(res, 401, { error: { code: 'authentication_error', message: 'Unauthorized' } });
  }
  const limitText = url.searchParams.get('limit');
  const limit = limitText === null || limitText === '' ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return send(res, 400, { error: { code: 'invalid_parameters', message: `limit must be 1..${MAX_LIMIT}` } });
  }
  const status = url.searchParams.get('status');
  if (status !== null && status !== '' && status !== 'open') return send(res, 200, { markets: [], cursor: '' });
  const page = env.universe.page(url.searchParams.get('cursor') ?? '', limit);
  send(res, 200, { markets: page.markets.map((m) => marketJson(m, env.universe)), cursor: page.cursor });
}
