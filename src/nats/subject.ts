/**
 * Subjects and frame facts: where a frame goes (`<prefix>.<type>.<market token>`) and under which
 * JetStream message id. Pure: bytes in, strings out.
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';

/** Envelope types that are replies to commands, not market data; the router never publishes them. */
const CONTROL_TYPES: ReadonlySet<string> = new Set(['ok', 'subscribed', 'unsubscribed', 'error', 'list_subscriptions']);

/** True for command replies (`ok`, `subscribed`, `unsubscribed`, `error`, ...), which the router skips. */
export function isControlType(type: string): boolean {
  return CONTROL_TYPES.has(type);
}

/**
 * Make a ticker usable as one NATS subject token. `.`, `*`, `>`, `%` and whitespace are percent-encoded
 * (`.` → `%2E`), so the mapping is reversible and two tickers never share a token.
 * @example
 * subjectToken('KXBTCD-26NOV2317-T98999.99') // 'KXBTCD-26NOV2317-T98999%2E99'
 */
export function subjectToken(ticker: string): string {
  if (ticker === '') return '_';
  return ticker.replace(/[.*>%\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Reverse of {@link subjectToken}. */
export function tickerFromToken(token: string): string {
  return token === '_' ? '' : token.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const MARKET_KEY = Buffer.from('"market_ticker":"');
const EVENT_KEY = Buffer.from('"event_ticker":"');
const QUOTE = 0x22;

function view(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Read `"market_ticker":"…"` (or, failing that, `"event_ticker":"…"`) straight from the frame bytes,
 * without JSON.parse. Kalshi tickers contain no escapes, so the first closing quote ends the value.
 * @returns the ticker, or `''` when the frame has neither key.
 */
export function scanTicker(data: Uint8Array): string {
  const buf = view(data);
  for (const key of [MARKET_KEY, EVENT_KEY]) {
    const at = buf.indexOf(key);
    if (at === -1) continue;
    const start = at + key.length;
    const end = buf.indexOf(QUOTE, start);
    if (end === -1) return '';
    return buf.toString('latin1', start, end);
  }
  return '';
}

/** JSON with object keys sorted, so the same content from two gatherers hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function contentHash(msg: unknown): string {
  return createHash('sha1').update(canonical(msg)).digest('base64url');
}

/** How a frame is identified in JetStream's duplicate window. */
export interface FrameIdentity {
  /** Ticker the subject is built from (`''` when the frame names none). */
  readonly ticker: string;
  /**
   * Message id shared by every gatherer for the same Kalshi event (trades, lifecycle, ticker), or
   * `undefined` when the frame must be identified per gatherer (orderbook snapshots and deltas, unknown types).
   */
  readonly sharedId: string | undefined;
}

/**
 * Identify a data frame. Orderbook frames are scanned, never parsed (they are the bulk of the traffic).
 * Trades, ticker and lifecycle frames are parsed once, because their id comes from their content:
 * trades by `trade_id`; ticker and lifecycle by a SHA-1 of the key-sorted `msg` object (sid and seq
 * differ between gatherers and are not part of it). A frame that does not parse gets no shared id.
 */
export function identifyFrame(type: string, data: Uint8Array): FrameIdentity {
  if (type === 'orderbook_delta' || type === 'orderbook_snapshot') return { ticker: scanTicker(data), sharedId: undefined };
  if (type !== 'trade' && type !== 'ticker' && type !== 'ticker_v2' && type !== 'market_lifecycle_v2' && type !== 'event_lifecycle') {
    return { ticker: scanTicker(data), sharedId: undefined };
  }
  let msg: Record<string, unknown>;
  try {
    const parsed = JSON.parse(view(data).toString('utf8')) as { msg?: unknown };
    if (parsed === null || typeof parsed.msg !== 'object' || parsed.msg === null) return { ticker: scanTicker(data), sharedId: undefined };
    msg = parsed.msg as Record<string, unknown>;
  } catch {
    return { ticker: scanTicker(data), sharedId: undefined };
  }
  const ticker = typeof msg['market_ticker'] === 'string' ? msg['market_ticker'] : typeof msg['event_ticker'] === 'string' ? msg['event_ticker'] : '';
  if (type === 'trade') {
    const id = msg['trade_id'];
    return { ticker, sharedId: typeof id === 'string' || typeof id === 'number' ? `trade:${String(id)}` : undefined };
  }
  return { ticker, sharedId: `${type}:${ticker}:${contentHash(msg)}` };
}
