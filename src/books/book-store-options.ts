import { ConfigError } from '../errors';
import type { Clock } from '../ports/clock';
import { systemClock } from '../ports/clock';
import type { FrameError } from '../frames/frame-error';
import type { RestBookFetcher } from './rest-orderbook';

/** REST backup: fetch books that stayed untrusted too long. See `docs/books.md`. */
export interface RestBackupOptions {
  /**
   * Loads one market's book over REST (`GET /trade-api/v2/markets/{ticker}/orderbook`).
   * Build it with {@link createRestBookFetcher}.
   */
  readonly fetchBook: RestBookFetcher;
  /** Most REST requests per second, across all markets. @default 5 */
  readonly requestsPerSecond?: number;
  /** A REST-sourced book older than this is fetched again while the stream still has not replaced it. @default 30000 */
  readonly refreshAfterMs?: number;
}

/** Options of {@link createBookStore}. */
export interface BookStoreOptions {
  /** Time source (tests drive it). @default systemClock */
  readonly clock?: Clock;
  /** An untrusted book turns from `awaiting-snapshot` to `stale` (and becomes eligible for REST) after this long. @default 5000 */
  readonly staleAfterMs?: number;
  /** Drop a market's book when a lifecycle frame says it was deactivated, determined or settled. @default true */
  readonly dropEndedMarkets?: boolean;
  /** Most markets kept; a snapshot for a new market beyond this is counted in `stats().rejectedMarkets` and ignored. @default 2000000 */
  readonly maxMarkets?: number;
  /** REST backup; off when undefined. @default undefined */
  readonly rest?: RestBackupOptions;
  /** Called with every malformed book frame (it is counted and skipped, never thrown). @default undefined */
  readonly onFrameError?: (error: FrameError) => void;
}

/** Defaults of {@link BookStoreOptions}. */
export const BOOK_STORE_DEFAULTS = Object.freeze({
  /** Default of `staleAfterMs`. */
  staleAfterMs: 5_000,
  /** Default of `dropEndedMarkets`. */
  dropEndedMarkets: true,
  /** Default of `maxMarkets`. */
  maxMarkets: 2_000_000,
  /** Default of `rest.requestsPerSecond`. */
  restRequestsPerSecond: 5,
  /** Default of `rest.refreshAfterMs`. */
  restRefreshAfterMs: 30_000,
});

/** Options with defaults filled. @internal */
export interface ResolvedBookStoreOptions {
  readonly clock: Clock;
  readonly staleAfterMs: number;
  readonly dropEndedMarkets: boolean;
  readonly maxMarkets: number;
  readonly rest: { readonly fetchBook: RestBookFetcher; readonly requestsPerSecond: number; readonly refreshAfterMs: number } | undefined;
  readonly onFrameError: ((error: FrameError) => void) | undefined;
}

function nonNegative(option: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ConfigError(option, `must be a finite number >= ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * Validates options and fills defaults.
 * @throws {ConfigError} naming the bad option.
 * @internal
 */
export function resolveBookStoreOptions(options: BookStoreOptions = {}): ResolvedBookStoreOptions {
  const d = BOOK_STORE_DEFAULTS;
  if (options.dropEndedMarkets !== undefined && typeof options.dropEndedMarkets !== 'boolean') {
    throw new ConfigError('dropEndedMarkets', `must be a boolean, got ${String(options.dropEndedMarkets)}`);
  }
  if (options.onFrameError !== undefined && typeof options.onFrameError !== 'function') {
    throw new ConfigError('onFrameError', 'must be a function');
  }
  let rest: ResolvedBookStoreOptions['rest'];
  if (options.rest !== undefined) {
    if (typeof options.rest.fetchBook !== 'function') throw new ConfigError('rest.fetchBook', 'must be a function');
    rest = {
      fetchBook: options.rest.fetchBook,
      requestsPerSecond: nonNegative('rest.requestsPerSecond', options.rest.requestsPerSecond, d.restRequestsPerSecond, Number.MIN_VALUE),
      refreshAfterMs: nonNegative('rest.refreshAfterMs', options.rest.refreshAfterMs, d.restRefreshAfterMs),
    };
  }
  const maxMarkets = nonNegative('maxMarkets', options.maxMarkets, d.maxMarkets, 1);
  if (!Number.isInteger(maxMarkets)) throw new ConfigError('maxMarkets', `must be an integer, got ${maxMarkets}`);
  return {
    clock: options.clock ?? systemClock,
    staleAfterMs: nonNegative('staleAfterMs', options.staleAfterMs, d.staleAfterMs),
    dropEndedMarkets: options.dropEndedMarkets ?? d.dropEndedMarkets,
    maxMarkets,
    rest,
    onFrameError: options.onFrameError,
  };
}
