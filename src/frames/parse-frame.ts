import type { RawMessage } from '../raw-message';
import { parsePrice, parseSize } from '../numbers/exact';
import { FrameError } from './frame-error';
import type { KalshiFrame, Level, OkFrame, Side } from './frame-types';

type Obj = Record<string, unknown>;
const decoder = new TextDecoder('utf-8', { fatal: true });

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new FrameError(`${path}.${key}`, `expected a string, got ${kind(v)}`);
  return v;
}

function optStr(o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new FrameError(`${path}.${key}`, `expected a string, got ${kind(v)}`);
  return v;
}

function optInt(o: Obj, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new FrameError(`${path}.${key}`, `expected an integer, got ${kind(v)}`);
  return v;
}

function int(o: Obj, key: string, path: string): number {
  const v = optInt(o, key, path);
  if (v === undefined) throw new FrameError(`${path}.${key}`, 'missing');
  return v;
}

/** Optional price: absent, null or `""` (older ticker frames) is undefined. */
function optPrice(o: Obj, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  return parsePrice(v, `${path}.${key}`);
}

function optSize(o: Obj, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  return parseSize(v, `${path}.${key}`);
}

function side(o: Obj, key: string, path: string): Side {
  const v = o[key];
  if (v !== 'yes' && v !== 'no') throw new FrameError(`${path}.${key}`, `expected "yes" or "no", got ${kind(v)}`);
  return v;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return v.length > 24 ? 'a long string' : JSON.stringify(v);
  return typeof v;
}

function levels(o: Obj, key: string, path: string): Level[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  const at = `${path}.${key}`;
  if (!Array.isArray(v)) throw new FrameError(at, `expected an array of levels, got ${kind(v)}`);
  const out: Level[] = [];
  for (let i = 0; i < v.length; i++) {
    const level: unknown = v[i];
    if (!Array.isArray(level) || level.length !== 2) throw new FrameError(`${at}[${i}]`, 'expected [price, size]');
    out.push([parsePrice(level[0], `${at}[${i}][0]`), parseSize(level[1], `${at}[${i}][1]`, false)]);
  }
  return out;
}

function msgOf(o: Obj): Obj {
  const m = o['msg'];
  if (!isObj(m)) throw new FrameError('msg', `expected an object, got ${kind(m)}`);
  return m;
}

/** The market of an orderbook snapshot or delta (`market_id` may be absent: then `''`). */
function bookMarket(m: Obj): { marketTicker: string; marketId: string } {
  return { marketTicker: str(m, 'market_ticker', 'msg'), marketId: optStr(m, 'market_id', 'msg') ?? '' };
}

function subscriptions(value: unknown, path: string): OkFrame['subscriptions'] {
  if (!Array.isArray(value)) return undefined;
  return value.map((entry: unknown, i) => {
    if (!isObj(entry)) throw new FrameError(`${path}[${i}]`, 'expected an object');
    return { channel: str(entry, 'channel', `${path}[${i}]`), sid: int(entry, 'sid', `${path}[${i}]`) };
  });
}

/**
 * Validates an already-parsed frame object and returns its typed form.
 * @throws {FrameError} naming the first field that is missing or malformed.
 * @example
 * const frame = frameFromObject(JSON.parse(text));
 */
export function frameFromObject(value: unknown): KalshiFrame {
  if (!isObj(value)) throw new FrameError('', `frame is not a JSON object (got ${kind(value)})`);
  const type = value['type'];
  if (typeof type !== 'string') throw new FrameError('type', `expected a string, got ${kind(type)}`);
  const sid = optInt(value, 'sid', '');
  const seq = optInt(value, 'seq', '');
  const id = optInt(value, 'id', '');
  switch (type) {
    case 'orderbook_snapshot': {
      const m = msgOf(value);
      return {
        type, sid, seq, id,
        ...bookMarket(m),
        yes: levels(m, 'yes_dollars_fp', 'msg'),
        no: levels(m, 'no_dollars_fp', 'msg'),
      };
    }
    case 'orderbook_delta': {
      const m = msgOf(value);
      return {
        type, sid, seq,
        ...bookMarket(m),
        side: side(m, 'side', 'msg'),
        price: parsePrice(m['price_dollars'], 'msg.price_dollars'),
        delta: parseSize(m['delta_fp'], 'msg.delta_fp'),
        ts: optStr(m, 'ts', 'msg'),
        tsMs: optInt(m, 'ts_ms', 'msg'),
      };
    }
    case 'ticker': {
      const m = msgOf(value);
      return {
        type, sid, seq,
        marketTicker: str(m, 'market_ticker', 'msg'),
        marketId: optStr(m, 'market_id', 'msg'),
        price: optPrice(m, 'price_dollars', 'msg'),
        yesBid: optPrice(m, 'yes_bid_dollars', 'msg'),
        yesAsk: optPrice(m, 'yes_ask_dollars', 'msg'),
        volume: optSize(m, 'volume_fp', 'msg'),
        openInterest: optSize(m, 'open_interest_fp', 'msg'),
        yesBidSize: optSize(m, 'yes_bid_size_fp', 'msg'),
        yesAskSize: optSize(m, 'yes_ask_size_fp', 'msg'),
        lastTradeSize: optSize(m, 'last_trade_size_fp', 'msg'),
        ts: optInt(m, 'ts', 'msg'),
        tsMs: optInt(m, 'ts_ms', 'msg'),
      };
    }
    case 'trade': {
      const m = msgOf(value);
      const legacyCount = optInt(m, 'count', 'msg');
      const count = optSize(m, 'count_fp', 'msg') ?? (legacyCount === undefined ? undefined : legacyCount * 100);
      if (count === undefined) throw new FrameError('msg.count_fp', 'missing');
      const taker = m['taker_outcome_side'] ?? m['taker_side'];
      return {
        type, sid, seq,
        tradeId: str(m, 'trade_id', 'msg'),
        marketTicker: str(m, 'market_ticker', 'msg'),
        yesPrice: parsePrice(m['yes_price_dollars'], 'msg.yes_price_dollars'),
        noPrice: parsePrice(m['no_price_dollars'], 'msg.no_price_dollars'),
        count,
        takerSide: taker === 'yes' || taker === 'no' ? taker : undefined,
        ts: optInt(m, 'ts', 'msg'),
        tsMs: optInt(m, 'ts_ms', 'msg'),
      };
    }
    case 'market_lifecycle_v2': {
      const m = msgOf(value);
      const meta = m['additional_metadata'];
      return {
        type, sid, seq,
        marketTicker: str(m, 'market_ticker', 'msg'),
        eventType: str(m, 'event_type', 'msg'),
        result: optStr(m, 'result', 'msg'),
        settlementValue: optPrice(m, 'settlement_value', 'msg'),
        openTs: optInt(m, 'open_ts', 'msg'),
        closeTs: optInt(m, 'close_ts', 'msg'),
        determinationTs: optInt(m, 'determination_ts', 'msg'),
        settledTs: optInt(m, 'settled_ts', 'msg'),
        metadata: isObj(meta) ? meta : undefined,
      };
    }
    case 'event_lifecycle': {
      const m = msgOf(value);
      return { type, sid, seq, eventTicker: str(m, 'event_ticker', 'msg'), body: m };
    }
    case 'event_fee_update':
      return { type, sid, seq, body: msgOf(value) };
    case 'subscribed': {
      const m = msgOf(value);
      return { type, id, channel: str(m, 'channel', 'msg'), sid: int(m, 'sid', 'msg') };
    }
    case 'ok': {
      const m = value['msg'];
      const tickers = isObj(m) ? m['market_tickers'] : undefined;
      if (tickers !== undefined && (!Array.isArray(tickers) || tickers.some((t) => typeof t !== 'string'))) {
        throw new FrameError('msg.market_tickers', 'expected an array of strings');
      }
      const list = Array.isArray(m) ? subscriptions(m, 'msg') : isObj(m) ? subscriptions(m['subscriptions'], 'msg.subscriptions') : undefined;
      return { type, sid, seq, id, marketTickers: tickers as string[] | undefined, subscriptions: list };
    }
    case 'unsubscribed':
      return { type, sid, seq, id };
    case 'error': {
      const m = msgOf(value);
      return { type, sid, seq, id, code: int(m, 'code', 'msg'), message: optStr(m, 'msg', 'msg') ?? '' };
    }
    default:
      return { type: 'unknown', frameType: type, sid, seq, body: value['msg'] };
  }
}

/**
 * Parses one frame into a typed {@link KalshiFrame}. Accepts a pool `RawMessage` (anything with `data`),
 * the frame's bytes, or its text.
 * @throws {FrameError} when the bytes are not UTF-8 JSON or a field is missing or malformed; never crashes.
 * @example
 * for await (const message of manager) {
 *   const frame = parseFrame(message);
 *   if (frame.type === 'trade') console.log(frame.marketTicker, formatPrice(frame.yesPrice));
 * }
 */
export function parseFrame(input: Pick<RawMessage, 'data'> | Uint8Array | string): KalshiFrame {
  let text: string;
  try {
    text = typeof input === 'string' ? input : decoder.decode(input instanceof Uint8Array ? input : input.data);
  } catch {
    throw new FrameError('', 'frame is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrameError('', 'frame is not JSON');
  }
  return frameFromObject(value);
}
