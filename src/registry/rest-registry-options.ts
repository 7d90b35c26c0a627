import { ConfigError } from '../errors';
import { readDuration, readNumber, readOptions, requireMethods } from '../internal/validate';
import type { Clock } from '../ports/clock';
import { systemClock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { silentLogger } from '../ports/logger';
import type { KalshiSigner } from '../protocol/kalshi/auth-headers';
import { DEFAULT_MAX_RESPONSE_BYTES, resolveRestBaseUrl } from './rest-request';

/** Kalshi REST API bases (`…/trade-api/v2`) for {@link KalshiRestRegistryOptions.baseUrl}. */
export const KALSHI_REST_URLS = Object.freeze({
  /** Production REST base. */
  production: 'https://api.elections.kalshi.com/trade-api/v2',
  /** Demo REST base (demo keys only). */
  demo: 'https://demo-api.kalshi.co/trade-api/v2',
} as const);

/** One market from `GET /markets`, as far as the registry needs it; every other field is kept as is. */
export interface RestMarket {
  /** Market ticker, e.g. `KXBTCD-26NOV2317-T98999.99`. */
  readonly ticker: string;
  /** Event ticker, e.g. `KXBTCD-26NOV2317`. */
  readonly event_ticker?: string;
  /** Series ticker, e.g. `KXBTCD` (often absent; derived from the event ticker then). */
  readonly series_ticker?: string;
  /** Market status, e.g. `active`. */
  readonly status?: string;
  readonly [key: string]: unknown;
}

/**
 * Which markets the registry holds. A market passes when no prefix list is given or it matches at least one
 * series or event prefix, and then `predicate` (when given) returns true.
 */
export interface RestMarketFilter {
  /** Series ticker prefixes, e.g. `['KXBTC', 'KXETH']`. */
  readonly seriesPrefixes?: readonly string[];
  /** Event ticker prefixes, e.g. `['KXBTCD-26NOV23']`. */
  readonly eventPrefixes?: readonly string[];
  /**
   * Final say on a market from REST. Markets known only from a lifecycle frame skip it
   * (the frame carries no market object), unless the market was seen on the last REST pass. While a
   * predicate is set, the market objects of the last pass are kept in memory for that purpose.
   */
  readonly predicate?: (market: RestMarket) => boolean;
}

/** Backoff of failed REST requests. */
export interface RestRetryOptions {
  /**
   * First retry delay in ms; doubles per attempt.
   * @default 1000
   */
  readonly initialDelayMs?: number;
  /**
   * Largest retry delay in ms. A background pass gives up (keeping the last good set) once a retry at this delay fails.
   * @default 60_000
   */
  readonly maxDelayMs?: number;
}

/** Options of `createKalshiRestRegistry`. */
export interface KalshiRestRegistryOptions {
  /** REST base, e.g. {@link KALSHI_REST_URLS}`.production` (`https://api.elections.kalshi.com/trade-api/v2`). */
  readonly baseUrl: string;
  /** Signs every request (`GET` + the URL path without query). */
  readonly signer: KalshiSigner;
  /**
   * How often the open-market set is re-read and diffed, in ms.
   * @default 300_000
   */
  readonly reconcileIntervalMs?: number;
  /**
   * `limit` of each `GET /markets` page (Kalshi allows 1..1000).
   * @default 1000
   */
  readonly pageSize?: number;
  /** Which markets to hold; all open markets by default. */
  readonly filter?: RestMarketFilter;
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /**
   * Time source for timers and backoff.
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * Where warnings go (never receives key material).
   * @default silentLogger
   */
  readonly logger?: Logger;
  /** Retry backoff. */
  readonly retry?: RestRetryOptions;
  /**
   * Per-request timeout in ms (headers and body).
   * @default 15_000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Largest response body in bytes; a larger body fails the request (`ProtocolError`, reason
   * `rest-body-too-large`) before it is read whole. A full 1000-market page is about 2-3 MB.
   * @default 16_777_216 (16 MiB)
   */
  readonly maxResponseBytes?: number;
  /**
   * Allow `http://` to non-loopback hosts. Without it, `baseUrl` must be `https://` unless its host is
   * `localhost`, `127.0.0.0/8` or `::1` (the same rule and option as the WebSocket client's). TLS
   * certificate verification is never disabled either way.
   * @default false
   */
  readonly allowInsecureTransport?: boolean;
}

/** Defaults of {@link KalshiRestRegistryOptions}. */
export const restRegistryDefaults = Object.freeze({
  /** Re-read the open markets every 5 minutes. */
  reconcileIntervalMs: 300_000,
  /** `limit` of each `GET /markets` page. */
  pageSize: 1000,
  /** Request retry backoff. */
  retry: Object.freeze({
    /** First retry delay, ms. */
    initialDelayMs: 1000,
    /** Retry delay cap, ms. */
    maxDelayMs: 60_000,
  }),
  /** Per-request timeout, ms. */
  requestTimeoutMs: 15_000,
  /** Response body cap, bytes (16 MiB). */
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  /** `http://` only to loopback hosts. */
  allowInsecureTransport: false,
  /** Attempts of one request during the first load and `refresh()` before they reject. */
  initialAttempts: 5,
} as const);

/** Options after validation and defaults. */
export interface ResolvedRestRegistryOptions {
  readonly baseUrl: string;
  readonly signer: KalshiSigner;
  readonly reconcileIntervalMs: number;
  readonly pageSize: number;
  readonly seriesPrefixes: readonly string[];
  readonly eventPrefixes: readonly string[];
  readonly predicate: ((market: RestMarket) => boolean) | undefined;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
}

const REGISTRY_KEYS: readonly string[] = [
  'baseUrl', 'signer', 'reconcileIntervalMs', 'pageSize', 'filter', 'fetch', 'clock', 'logger', 'retry', 'requestTimeoutMs',
  'allowInsecureTransport', 'maxResponseBytes',
];

function prefixes(option: string, value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(option, 'must be an array of strings');
  for (const [index, item] of value.entries()) {
    if (typeof item !== 'string' || item === '') {
      throw new ConfigError(`${option}[${index}]`, 'must be a non-empty string');
    }
  }
  return Object.freeze([...(value as string[])]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Validates options and applies {@link restRegistryDefaults}.
 * @throws {ConfigError} naming the first invalid option.
 */
export function resolveRestRegistryOptions(options: KalshiRestRegistryOptions): ResolvedRestRegistryOptions {
  if (!isObject(options)) throw new ConfigError('options', 'must be an object');
  readOptions(options, '', REGISTRY_KEYS);
  const insecure: unknown = options.allowInsecureTransport ?? restRegistryDefaults.allowInsecureTransport;
  if (typeof insecure !== 'boolean') throw new ConfigError('allowInsecureTransport', `must be a boolean, got ${String(insecure)}`);
  const baseUrl = resolveRestBaseUrl('baseUrl', options.baseUrl, insecure);
  const signer: unknown = options.signer;
  if (!isObject(signer) || typeof signer.headers !== 'function') {
    throw new ConfigError('signer', 'must be a KalshiSigner (an object with headers())');
  }
  const filter = readOptions(options.filter, 'filter', ['seriesPrefixes', 'eventPrefixes', 'predicate']);
  if (filter['predicate'] !== undefined && typeof filter['predicate'] !== 'function') {
    throw new ConfigError('filter.predicate', 'must be a function');
  }
  const fetchImpl: unknown = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new ConfigError('fetch', 'must be a function (no global fetch found)');
  const clock: unknown = options.clock ?? systemClock;
  requireMethods(clock, 'clock', ['now', 'setTimeout', 'clearTimeout']);
  const logger: unknown = options.logger ?? silentLogger;
  requireMethods(logger, 'logger', ['debug', 'info', 'warn', 'error']);
  const retry = readOptions(options.retry, 'retry', Object.keys(restRegistryDefaults.retry));
  const defaults = restRegistryDefaults;
  const initialDelayMs = readDuration(retry['initialDelayMs'], defaults.retry.initialDelayMs, 'retry.initialDelayMs', false);
  const maxDelayMs = readDuration(retry['maxDelayMs'], defaults.retry.maxDelayMs, 'retry.maxDelayMs', false);
  if (maxDelayMs < initialDelayMs) {
    throw new ConfigError('retry.maxDelayMs', `must be >= retry.initialDelayMs (${initialDelayMs}), got ${maxDelayMs}`);
  }
  const pageSize = readNumber(options.pageSize, defaults.pageSize, 'pageSize', { min: 1, max: 1000, integer: true });
  return {
    baseUrl,
    signer: signer as unknown as KalshiSigner,
    reconcileIntervalMs: readDuration(options.reconcileIntervalMs, defaults.reconcileIntervalMs, 'reconcileIntervalMs', false),
    pageSize,
    seriesPrefixes: prefixes('filter.seriesPrefixes', filter['seriesPrefixes']),
    eventPrefixes: prefixes('filter.eventPrefixes', filter['eventPrefixes']),
    predicate: filter['predicate'] as ((market: RestMarket) => boolean) | undefined,
    fetch: fetchImpl as typeof fetch,
    clock: clock as unknown as Clock,
    logger: logger as unknown as Logger,
    initialDelayMs,
    maxDelayMs,
    requestTimeoutMs: readDuration(options.requestTimeoutMs, defaults.requestTimeoutMs, 'requestTimeoutMs', false),
    maxResponseBytes: readNumber(options.maxResponseBytes, defaults.maxResponseBytes, 'maxResponseBytes', { min: 1, integer: true }),
  };
}
