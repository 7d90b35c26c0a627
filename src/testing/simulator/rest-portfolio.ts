/**
 * `GET /trade-api/v2/portfolio/fills` and `/portfolio/positions`, signed with an account key:
 * fills newest first, filtered by `min_ts` (unix seconds, inclusive), cursor-paged (`cursor: ''` on the
 * last page); positions as `{ market_positions, event_positions, cursor }`. A revoked or unknown key
 * gets 401.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimAccounts } from './accounts';
import { restFillJson } from './accounts';
import { sizeFp } from './fixed-point';

/** Path prefix handled here. */
export const REST_PORTFOLIO_PATH = '/trade-api/v2/portfolio';
const MAX_LIMIT = 1000;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Handles a request under {@link REST_PORTFOLIO_PATH}; `windowMs` is the signature timestamp window. */
export function handlePortfolio(accounts: SimAccounts, windowMs: number, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== 'GET') return send(res, 405, { error: { code: 'method_not_allowed', message: 'Method Not Allowed' } });
  const path = url.pathname;
  if (path !== `${REST_PORTFOLIO_PATH}/fills` && path !== `${REST_PORTFOLIO_PATH}/positions`) {
    return send(res, 404, { error: { code: 'not_found', message: 'Not Found' } });
  }
  const auth = accounts.verify(req.headers, 'GET', path, windowMs);
  const keyId = req.headers['kalshi-access-key'];
  if (auth === undefined || !auth.ok || typeof keyId !== 'string') {
    return send(res, 401, { error: { code: 'authentication_error', message: 'Unauthorized' } });
  }
  const account = accounts.accountOfKey(keyId)!;
  if (path.endsWith('/positions')) {
    const marketPositions = [...account.positions].map(([ticker, p]) => ({
      ticker,
      position_fp: sizeFp(p.position),
      market_exposure_dollars: (p.cost / 10_000).toFixed(4),
      realized_pnl_dollars: '0.0000',
      fees_paid_dollars: '0.0000',
      total_traded_dollars: (p.cost / 10_000).toFixed(4),
    }));
    return send(res, 200, { market_positions: marketPositions, event_positions: [], cursor: '' });
  }
  const limitText = url.searchParams.get('limit');
  const limit = limitText === null || limitText === '' ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return send(res, 400, { error: { code: 'invalid_parameters', message: `limit must be 1..${MAX_LIMIT}` } });
  }
  const minTsText = url.searchParams.get('min_ts');
  const minTs = minTsText === null || minTsText === '' ? 0 : Number(minTsText);
  if (!Number.isInteger(minTs) || minTs < 0) return send(res, 400, { error: { code: 'invalid_parameters', message: 'min_ts must be unix seconds' } });
  const cursorText = url.searchParams.get('cursor') ?? '';
  const offset = cursorText === '' ? 0 : Number(Buffer.from(cursorText, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) return send(res, 400, { error: { code: 'invalid_parameters', message: 'bad cursor' } });
  const matching = account.fills.filter((f) => f.ts >= minTs).reverse();
  const page = matching.slice(offset, offset + limit);
  const next = offset + limit < matching.length ? Buffer.from(String(offset + limit)).toString('base64url') : '';
  send(res, 200, { fills: page.map(restFillJson), cursor: next });
}
