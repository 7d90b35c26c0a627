/**
 * Options of `createUserDataManager`: the public type, the frozen defaults and the resolver that
 * validates everything up front (throwing `ConfigError` naming the option and the bad value).
 * Admission, reconnect, queue and health-check defaults are the pool's own (`managerDefaults`).
 * @packageDocumentation
 */
import { ConfigError } from '../errors';
import { resolveRestBaseUrl } from '../registry/rest-request';
import type { Clock } from '../ports/clock';
import { systemClock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { silentLogger } from '../ports/logger';
import type { AccountSource } from '../ports/account-source';
import { managerDefaults } from '../manager/manager-options';
import type { AdmissionOptions, ManagerClientOptions, QueueOptions, ReconnectOptions } from '../manager/manager-options';

/** Kalshi's private channels. */
export const PrivateChannel = {
  /** Your fills (`type: "fill"`). */
  fill: 'fill',
  /** Your order updates (`type: "user_order"`). */
  userOrders: 'user_orders',
  /** Your position changes (`type: "market_position"`). */
  marketPositions: 'market_positions',
  /** Order group events (`type: "order_group_updates"`). */
  orderGroupUpdates: 'order_group_updates',
} as const;

/** A private channel name (any other string is passed through; Kalshi answers error 8 for unknown names). */
export type PrivateChannelName = (typeof PrivateChannel)[keyof typeof PrivateChannel] | (string & {});

/** Fill backfill and positions snapshot after every (re)connect. */
export interface BackfillOptions {
  /** Backfill fills from REST after every (re)connect. @default true */
  readonly enabled?: boolean;
  /** Subtracted from the last fill's time when building `min_ts` (clock skew, late writes). @default 60000 */
  readonly safetyMarginMs?: number;
  /** Fills per REST page (`limit`). @default 100 */
  readonly pageSize?: number;
  /** Pages read at most per backfill (a bound on a runaway cursor). @default 100 */
  readonly maxPages?: number;
  /** Fill ids remembered per account for deduplication (oldest forgotten first). @default 10000 */
  readonly dedupeCapacity?: number;
  /** Also fetch `GET /portfolio/positions` after every (re)connect and deliver it as `positions_snapshot`. @default false */
  readonly positions?: boolean;
  /** Time allowed for one REST request. @default 10000 */
  readonly requestTimeoutMs?: number;
}

/** Per-account health loop. */
export interface UserDataHealthCheckOptions {
  /** Time between checks; 0 disables the loop. @default 60000 */
  readonly intervalMs?: number;
  /** Consecutive failed checks of one account before a warning and a `degraded` event. @default 3 */
  readonly failuresBeforeDegraded?: number;
}

/** Options of `createUserDataManager`. */
export interface UserDataManagerOptions {
  /** WebSocket URL, e.g. `wss://external-api-ws.kalshi.com/trade-api/ws/v2`. Required. */
  readonly url: string;
  /**
   * REST base URL for the backfill, e.g. `https://api.elections.kalshi.com/trade-api/v2`.
   * @default derived from `url` (same host, `http(s)` scheme, path `/trade-api/v2`)
   */
  readonly restUrl?: string;
  /** Where accounts come from. Required. */
  readonly accounts: AccountSource;
  /** Private channels per account (an account's own `channels` wins). @default ['fill', 'user_orders', 'market_positions', 'order_group_updates'] */
  readonly channels?: readonly PrivateChannelName[];
  /** Hot reload: read the source this often (and on every change event); 0 turns the timer off. @default 300000 */
  readonly reconcileIntervalMs?: number;
  /** Pool-wide dial limiter (shared by every account). @default { dialsPerSecond: 10, burst: 5, jitterMs: 250 } */
  readonly admission?: AdmissionOptions;
  /** Per-account reconnect backoff (the pool's). @default managerDefaults.reconnect */
  readonly reconnect?: ReconnectOptions;
  /** Output queue (the pool's, same overflow policies). @default { capacity: 10000, lowWaterMark: 5000, overflow: 'pause' } */
  readonly queue?: Omit<QueueOptions, 'maxBytes'>;
  /** Per-account health loop. @default { intervalMs: 60000, failuresBeforeDegraded: 3 } */
  readonly healthCheck?: UserDataHealthCheckOptions;
  /** Fill backfill and positions snapshot. */
  readonly backfill?: BackfillOptions;
  /** Extra client options (timeouts, ...). */
  readonly client?: ManagerClientOptions;
  /** Graceful close wait per connection before terminating. @default 10000 */
  readonly closeTimeoutMs?: number;
  /** `fetch` used for the REST backfill. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** pino-shaped logger; fields carry `accountId`, never key material. @default silentLogger */
  readonly logger?: Logger;
}

/** Defaults of every user-data option (deep-frozen). */
export const userDataDefaults = Object.freeze({
  /** Every private channel. */
  channels: Object.freeze(['fill', 'user_orders', 'market_positions', 'order_group_updates'] as const),
  /** Hot reload every 5 minutes. */
  reconcileIntervalMs: 300_000,
  /** The pool's dial limiter defaults. */
  admission: managerDefaults.admission,
  /** The pool's backoff defaults. */
  reconnect: managerDefaults.reconnect,
  /** The pool's queue defaults. */
  queue: managerDefaults.queue,
  /** One check a minute, degraded after 3 failures. */
  healthCheck: Object.freeze({
    /** One check round a minute. */
    intervalMs: 60_000,
    /** Failed checks in a row before `degraded`. */
    failuresBeforeDegraded: 3,
  }),
  /** Backfill on, positions off. */
  backfill: Object.freeze({
    /** Backfill after every (re)connect. */
    enabled: true,
    /** One minute before the last fill seen. */
    safetyMarginMs: 60_000,
    /** Fills per page. */
    pageSize: 100,
    /** Pages per backfill at most. */
    maxPages: 100,
    /** Fill ids remembered per account. */
    dedupeCapacity: 10_000,
    /** No positions snapshot. */
    positions: false,
    /** Per REST request, ms. */
    requestTimeoutMs: 10_000,
  }),
  /** Graceful close wait, ms. */
  closeTimeoutMs: 10_000,
});

/** Every option after defaults and validation. @internal */
export interface ResolvedUserDataOptions {
  readonly url: string;
  readonly restUrl: string;
  readonly accounts: AccountSource;
  readonly channels: readonly string[];
  readonly reconcileIntervalMs: number;
  readonly admission: Required<AdmissionOptions>;
  readonly reconnect: Required<ReconnectOptions>;
  readonly queue: Required<Omit<QueueOptions, 'maxBytes'>>;
  readonly healthCheck: Required<UserDataHealthCheckOptions>;
  readonly backfill: Required<BackfillOptions>;
  readonly client: ManagerClientOptions;
  readonly closeTimeoutMs: number;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly logger: Logger;
}

type Bag = Readonly<Record<string, unknown>>;

function bag(value: unknown, name: string): Bag {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(name, `must be an object, got ${describe(value)}`);
  return value as Bag;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function num(value: unknown, fallback: number, name: string, min: number, infinite = false): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && !Number.isNaN(value) && value >= min && (Number.isFinite(value) || (infinite && value === Infinity));
  if (!ok) throw new ConfigError(name, `must be a number >= ${min}, got ${describe(value)}`);
  return value;
}

function int(value: unknown, fallback: number, name: string, min: number): number {
  const n = num(value, fallback, name, min);
  if (!Number.isSafeInteger(n)) throw new ConfigError(name, `must be an integer >= ${min}, got ${describe(value)}`);
  return n;
}

function bool(value: unknown, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(name, `must be a boolean, got ${describe(value)}`);
  return value;
}

function parseUrl(value: unknown, name: string, schemes: readonly string[]): URL {
  if (typeof value !== 'string' || value === '') throw new ConfigError(name, `must be a non-empty URL string, got ${describe(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new ConfigError(name, `is not a valid URL: ${value}`, { cause: error });
  }
  if (!schemes.includes(url.protocol)) throw new ConfigError(name, `must use ${schemes.join(' or ')}, got ${url.protocol}`);
  return url;
}

/** `wss://host/trade-api/ws/v2` → `https://host/trade-api/v2`. @internal */
export function restUrlFor(wsUrl: URL): string {
  const scheme = wsUrl.protocol === 'wss:' ? 'https:' : 'http:';
  return `${scheme}//${wsUrl.host}/trade-api/v2`;
}

/**
 * Applies defaults and validates every option.
 * @throws {ConfigError} naming the first bad option.
 * @internal
 */
export function resolveUserDataOptions(options: UserDataManagerOptions): ResolvedUserDataOptions {
  const o = bag(options, 'options');
  const wsUrl = parseUrl(o['url'], 'url', ['ws:', 'wss:']);
  // The one REST rule: https, or http only to loopback (or with the client's insecure-transport opt-in).
  const clientOptions = o['client'] as { allowInsecureTransport?: unknown } | undefined;
  const restUrl = resolveRestBaseUrl('restUrl', o['restUrl'] ?? restUrlFor(wsUrl), clientOptions?.allowInsecureTransport === true);
  const accounts = o['accounts'] as AccountSource | undefined;
  if (typeof accounts !== 'object' || accounts === null || typeof accounts.accounts !== 'function') {
    throw new ConfigError('accounts', 'must be an AccountSource (an object with an accounts() method)');
  }
  const channelsValue = o['channels'] ?? userDataDefaults.channels;
  if (!Array.isArray(channelsValue) || channelsValue.length === 0 || !channelsValue.every((c) => typeof c === 'string' && c !== '')) {
    throw new ConfigError('channels', `must be a non-empty array of channel names, got ${describe(channelsValue)}`);
  }
  const a = bag(o['admission'], 'admission');
  const r = bag(o['reconnect'], 'reconnect');
  const q = bag(o['queue'], 'queue');
  const h = bag(o['healthCheck'], 'healthCheck');
  const b = bag(o['backfill'], 'backfill');
  const d = userDataDefaults;
  const overflow = q['overflow'] ?? d.queue.overflow;
  if (overflow !== 'pause' && overflow !== 'drop-oldest' && overflow !== 'drop-newest') {
    throw new ConfigError('queue.overflow', `must be 'pause', 'drop-oldest' or 'drop-newest', got ${describe(overflow)}`);
  }
  const capacity = int(q['capacity'], d.queue.capacity, 'queue.capacity', 1);
  const fetchImpl = o['fetch'] ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new ConfigError('fetch', 'must be a function');
  const clock = (o['clock'] as Clock | undefined) ?? systemClock;
  const logger = (o['logger'] as Logger | undefined) ?? silentLogger;
  for (const m of ['now', 'setTimeout', 'clearTimeout'] as const) {
    if (typeof clock[m] !== 'function') throw new ConfigError('clock', `must have a ${m}() method`);
  }
  for (const m of ['debug', 'info', 'warn', 'error'] as const) {
    if (typeof logger[m] !== 'function') throw new ConfigError('logger', `must have a ${m}() method`);
  }
  return {
    url: wsUrl.toString(),
    restUrl,
    accounts,
    channels: Object.freeze([...(channelsValue as string[])]),
    reconcileIntervalMs: num(o['reconcileIntervalMs'], d.reconcileIntervalMs, 'reconcileIntervalMs', 0),
    admission: {
      dialsPerSecond: num(a['dialsPerSecond'], d.admission.dialsPerSecond, 'admission.dialsPerSecond', Number.MIN_VALUE),
      burst: int(a['burst'], d.admission.burst, 'admission.burst', 1),
      jitterMs: num(a['jitterMs'], d.admission.jitterMs, 'admission.jitterMs', 0),
    },
    reconnect: {
      initialDelayMs: num(r['initialDelayMs'], d.reconnect.initialDelayMs, 'reconnect.initialDelayMs', 0),
      maxDelayMs: num(r['maxDelayMs'], d.reconnect.maxDelayMs, 'reconnect.maxDelayMs', 0),
      factor: num(r['factor'], d.reconnect.factor, 'reconnect.factor', 1),
      randomize: bool(r['randomize'], d.reconnect.randomize, 'reconnect.randomize'),
      stableAfterMs: num(r['stableAfterMs'], d.reconnect.stableAfterMs, 'reconnect.stableAfterMs', 0),
      maxAttempts: num(r['maxAttempts'], d.reconnect.maxAttempts, 'reconnect.maxAttempts', 1, true),
    },
    queue: { capacity, lowWaterMark: int(q['lowWaterMark'], Math.min(d.queue.lowWaterMark, capacity - 1), 'queue.lowWaterMark', 0), overflow },
    healthCheck: {
      intervalMs: num(h['intervalMs'], d.healthCheck.intervalMs, 'healthCheck.intervalMs', 0),
      failuresBeforeDegraded: int(h['failuresBeforeDegraded'], d.healthCheck.failuresBeforeDegraded, 'healthCheck.failuresBeforeDegraded', 1),
    },
    backfill: {
      enabled: bool(b['enabled'], d.backfill.enabled, 'backfill.enabled'),
      safetyMarginMs: num(b['safetyMarginMs'], d.backfill.safetyMarginMs, 'backfill.safetyMarginMs', 0),
      pageSize: int(b['pageSize'], d.backfill.pageSize, 'backfill.pageSize', 1),
      maxPages: int(b['maxPages'], d.backfill.maxPages, 'backfill.maxPages', 1),
      dedupeCapacity: int(b['dedupeCapacity'], d.backfill.dedupeCapacity, 'backfill.dedupeCapacity', 1),
      positions: bool(b['positions'], d.backfill.positions, 'backfill.positions'),
      requestTimeoutMs: num(b['requestTimeoutMs'], d.backfill.requestTimeoutMs, 'backfill.requestTimeoutMs', 1),
    },
    client: bag(o['client'], 'client') as ManagerClientOptions,
    closeTimeoutMs: num(o['closeTimeoutMs'], d.closeTimeoutMs, 'closeTimeoutMs', 0),
    fetch: fetchImpl as typeof fetch,
    clock,
    logger,
  };
}
