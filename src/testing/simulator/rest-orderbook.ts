import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RestEnv } from './rest';
import { REST_MARKETS_PATH, send } from './rest';

const ORDERBOOK_PATH = /^\/trade-api\/v2\/markets\/([^/]+)\/orderbook$/;

/**
 * `GET /trade-api/v2/markets/{ticker}/orderbook`, answered from the simulator's own books as Kalshi does:
 * `{ orderbook_fp: { yes_dollars: [[price, size], ...], no_dollars: [...] } }`, best price first. Public
 * (no signature needed), like Kalshi's. Returns false when the path is not this endpoint.
 */
export function handleOrderbookRest(env: RestEnv, url: URL, req: IncomingMessage, res: ServerResponse): boolean {
  const match = ORDERBOOK_PATH.exec(url.pathname);
  if (match === null || !url.pathname.startsWith(REST_MARKETS_PATH)) return false;
  if (req.method !== 'GET') {
    send(res, 405, { error: { code: 'method_not_allowed', message: 'Method Not Allowed' } });
    return true;
  }
  const injected = env.faults.takeRejection('rest');
  if (injected !== undefined) {
    send(res, injected.status, { error: { code: injected.status, message: 'injected' } });
    return true;
  }
  let ticker: string;
  try {
    ticker = decodeURIComponent(match[1]!);
  } catch {
    send(res, 400, { error: { code: 'invalid_parameters', message: 'bad ticker' } });
    return true;
  }
  const market = env.universe.get(ticker);
  if (market === undefined) {
    send(res, 404, { error: { code: 'not_found', message: 'market not found' } });
    return true;
  }
  send(res, 200, { orderbook_fp: { yes_dollars: env.universe.books.levels(market.slot, 0), no_dollars: env.universe.books.levels(market.slot, 1) } });
  return true;
}
