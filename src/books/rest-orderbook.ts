import { parsePrice, parseSize } from '../numbers/exact';
import { FrameError } from '../frames/frame-error';
import type { Level } from '../frames/frame-types';
import { readDuration, readNumber } from '../internal/validate';
import type { Clock } from '../ports/clock';
import { systemClock } from '../ports/clock';
import type { KalshiSigner } from '../protocol/kalshi/auth-headers';
import type { RestTransport } from '../registry/rest-request';
import { DEFAULT_MAX_RESPONSE_BYTES, resolveRestBaseUrl, restRequest } from '../registry/rest-request';

/** A market's book as the REST endpoint returns it, in exact units (ticks, hundredths). */
export interface RestOrderbook {
  /** Yes bids. */
  readonly yes: readonly Level[];
  /** No bids. */
  readonly no: readonly Level[];
}

/**
 * Loads one market's book over REST. Resolve with the decoded book; reject on failure (the store retries
 * later under its rate limit).
 */
export type RestBookFetcher = (ticker: string, signal: AbortSignal) => Promise<RestOrderbook>;

/** REST path of a market's order book, below the `/trade-api/v2` base. */
export function restOrderbookPath(ticker: string): string {
  return `/markets/${encodeURIComponent(ticker)}/orderbook`;
}

function side(value: unknown, field: string): Level[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FrameError(field, 'expected an array of [price, size]');
  return value.map((level: unknown, i) => {
    if (!Array.isArray(level) || level.length < 2) throw new FrameError(`${field}[${i}]`, 'expected [price, size]');
    return [parsePrice(level[0], `${field}[${i}][0]`), parseSize(level[1], `${field}[${i}][1]`, false)] as const;
  });
}

/**
 * Decodes the body of `GET /markets/{ticker}/orderbook`: `{ orderbook_fp: { yes_dollars: [[price, size], ...],
 * no_dollars: [...] } }` (a side with no bids may be absent or null).
 * @throws {FrameError} naming the malformed field.
 * @example
 * const book = decodeRestOrderbook(await response.json());
 */
export function decodeRestOrderbook(body: unknown): RestOrderbook {
  const fp = typeof body === 'object' && body !== null ? (body as { orderbook_fp?: unknown }).orderbook_fp : undefined;
  if (typeof fp !== 'object' || fp === null) throw new FrameError('orderbook_fp', 'missing');
  const o = fp as { yes_dollars?: unknown; no_dollars?: unknown };
  return { yes: side(o.yes_dollars, 'orderbook_fp.yes_dollars'), no: side(o.no_dollars, 'orderbook_fp.no_dollars') };
}

/** Options of {@link createRestBookFetcher}. */
export interface RestBookFetcherOptions {
  /**
   * Performs `GET <base>/trade-api/v2` + `path` and resolves with the decoded JSON body, e.g. the package's
   * REST transport bound to a base URL (no redirects, https except loopback, bounded time and size).
   */
  readonly request: (path: string, signal: AbortSignal) => Promise<unknown>;
}

/**
 * A {@link RestBookFetcher} over a REST transport: requests {@link restOrderbookPath} and decodes the body.
 * @throws {ConfigError} never at build time; each call rejects with the transport's error or a {@link FrameError}.
 * @example
 * const fetchBook = createRestBookFetcher({ request: (path, signal) => myRest.get(path, signal) });
 */
export function createRestBookFetcher(options: RestBookFetcherOptions): RestBookFetcher {
  const { request } = options;
  return async (ticker, signal) => decodeRestOrderbook(await request(restOrderbookPath(ticker), signal));
}

/** Options of {@link createKalshiRestBookFetcher}. */
export interface KalshiRestBookFetcherOptions {
  /** REST base, e.g. `https://api.elections.kalshi.com/trade-api/v2`; `http:` only to loopback unless `allowInsecureTransport`. */
  readonly baseUrl: string;
  /** Signs each request; the order-book endpoint is public, so this is optional. @default undefined */
  readonly signer?: KalshiSigner;
  /** Allow `http:` to a non-loopback host. @default false */
  readonly allowInsecureTransport?: boolean;
  /** Per-request timeout, ms. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Largest response body, bytes. @default 16 MiB */
  readonly maxResponseBytes?: number;
  /** `fetch` implementation. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Time source for the timeout. @default systemClock */
  readonly clock?: Clock;
}

/**
 * A {@link RestBookFetcher} for Kalshi's REST API over the package's one REST transport: redirects
 * refused, `https:` except loopback, bounded time and body size.
 * @throws {ConfigError} when `baseUrl` or a number is invalid.
 * @example
 * const fetchBook = createKalshiRestBookFetcher({ baseUrl: 'https://api.elections.kalshi.com/trade-api/v2' });
 * const books = createBookStore({ rest: { fetchBook } });
 */
export function createKalshiRestBookFetcher(options: KalshiRestBookFetcherOptions): RestBookFetcher {
  const transport: RestTransport = {
    baseUrl: resolveRestBaseUrl('baseUrl', options.baseUrl, options.allowInsecureTransport === true),
    fetch: options.fetch ?? globalThis.fetch,
    clock: options.clock ?? systemClock,
    requestTimeoutMs: readDuration(options.requestTimeoutMs, 10_000, 'requestTimeoutMs', false),
    maxResponseBytes: readNumber(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes', { min: 1, integer: true }),
  };
  const { signer } = options;
  return createRestBookFetcher({ request: (path, signal) => restRequest(transport, { path, signal, ...(signer === undefined ? {} : { signer }) }) });
}
