/**
 * Options of `createConnectionManager`: the public type, the frozen defaults and the resolver that
 * validates everything up front (throwing `ConfigError` naming the option).
 * @packageDocumentation
 */
import type { ClientFactory } from '../client/client';
import type { KalshiClientOptions } from '../client/kalshi-client-options';
import { resolveKalshiClientOptions } from '../client/kalshi-client-options';
import { ConfigError } from '../errors';
import type { Clock } from '../ports/clock';
import { systemClock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { silentLogger } from '../ports/logger';
import { createRateLimitedLogger } from '../internal/log-limiter';
import type { Registry } from '../ports/registry';
import type { Router } from '../ports/router';
import type { KalshiSigner } from '../protocol/kalshi/auth-headers';
import type { LayoutCounts } from './layout';
import type { OverflowPolicy } from './output-queue';

/** Slots per role. Slots are numbered from 1 in the order ticker, trade, lifecycle, orderbook. */
export interface LayoutOptions {
  /** Global `ticker` connections. @default 2 */
  readonly ticker?: number;
  /** Global `trade` connections. @default 2 */
  readonly trade?: number;
  /** Global `market_lifecycle_v2` connections. @default 2 */
  readonly lifecycle?: number;
  /** `orderbook_delta` connections, each holding up to `marketsPerConnection` markets. @default 144 */
  readonly orderbook?: number;
}

/** Pool-wide dial limiter (design.md §5). */
export interface AdmissionOptions {
  /** Dials per second across the pool. @default 10 */
  readonly dialsPerSecond?: number;
  /** Dials allowed at once before the rate applies. @default 5 */
  readonly burst?: number;
  /** Random extra delay per dial, up to this many ms. @default 250 */
  readonly jitterMs?: number;
}

/** Per-slot reconnect backoff. */
export interface ReconnectOptions {
  /** First backoff delay. @default 1000 */
  readonly initialDelayMs?: number;
  /** Backoff cap. @default 300000 */
  readonly maxDelayMs?: number;
  /** Growth per failed attempt. @default 2 */
  readonly factor?: number;
  /** Multiply each delay by a random factor in [1, 2) (then cap). @default true */
  readonly randomize?: boolean;
  /** Uptime after which the backoff starts over. @default 60000 */
  readonly stableAfterMs?: number;
  /** Consecutive failed dials after which a slot gives up (fatal event, markets placed elsewhere). @default Infinity */
  readonly maxAttempts?: number;
}

/** Gap repair with `get_snapshot`. */
export interface RepairOptions {
  /** Repair orderbook gaps. @default true */
  readonly enabled?: boolean;
  /** Markets per `get_snapshot` command. @default 1000 */
  readonly batchSize?: number;
}

/** The periodic health loop (one timer for the whole pool). */
export interface HealthCheckOptions {
  /** Time between checks of every connection; 0 disables the loop. @default 60000 */
  readonly intervalMs?: number;
  /** Consecutive failed checks of one connection before a warning and a `degraded` event. @default 3 */
  readonly failuresBeforeDegraded?: number;
  /**
   * An orderbook sid whose acknowledged markets got no snapshots for this long is repaired with
   * `get_snapshot` ("subscribed but silent"). Checked on each health tick. @default 30000
   */
  readonly silentSubscriptionMs?: number;
}

/** The bounded output queue. */
export interface QueueOptions {
  /** Messages held at most. @default 10000 */
  readonly capacity?: number;
  /** With `pause`, reading resumes once the queue is down to this. @default 5000 */
  readonly lowWaterMark?: number;
  /** What happens when full. @default 'pause' */
  readonly overflow?: OverflowPolicy;
}

/** Client options the manager passes to every `createKalshiClient` (url, signer and id are its own). */
export type ManagerClientOptions = Partial<Omit<KalshiClientOptions, 'url' | 'signer' | 'connectionId'>>;

/** Options shared by both ways of building clients. */
export interface ManagerCommonOptions {
  /** Where markets come from. Required. */
  readonly registry: Registry;
  /** Optional push sink; with one, iterating the manager is a `StateError`. */
  readonly router?: Router;
  /** Slots per role. @default { ticker: 2, trade: 2, lifecycle: 2, orderbook: 144 } */
  readonly layout?: LayoutOptions;
  /** Markets one orderbook connection holds at most. @default 7500 */
  readonly marketsPerConnection?: number;
  /** `start()` fails below this many connected slots (defaults clamp to the slot count). @default 100 */
  readonly minHealthyConnections?: number;
  /** Markets per `subscribe` / `update_subscription` command. @default 1000 */
  readonly maxTickersPerCommand?: number;
  /** Pool-wide dial limiter. */
  readonly admission?: AdmissionOptions;
  /** Pool-wide command rate (subscribes, updates and repairs). @default 100 */
  readonly commandsPerSecond?: number;
  /** Reconnect backoff. */
  readonly reconnect?: ReconnectOptions;
  /** Gap repair. */
  readonly repair?: RepairOptions;
  /** Redundant pairs: deliver each global message once (`dedupe`) or every copy (`all`). @default 'dedupe' */
  readonly redundant?: 'dedupe' | 'all';
  /** Payloads remembered per role for deduplication. @default 65536 */
  readonly dedupeWindow?: number;
  /** Output queue. */
  readonly queue?: QueueOptions;
  /** Periodic health checks. @default { intervalMs: 60000, failuresBeforeDegraded: 3, silentSubscriptionMs: 30000 } */
  readonly healthCheck?: HealthCheckOptions;
  /** Graceful close wait per connection before terminating. @default 10000 */
  readonly closeTimeoutMs?: number;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /**
   * pino-shaped logger (`debug/info/warn/error(fields, msg)`), used by the manager and every client it
   * builds. Fields are structured (`connectionId`, `role`, `sid`, `attempt`, `delayMs`, `code`); key material
   * is never logged. Identical warnings and errors are rate-limited (once per 10 s, then a `{ suppressed }`
   * summary) so a reconnect storm cannot flood it.
   * @default silentLogger
   */
  readonly logger?: Logger;
}

/** Build clients yourself (tests, custom transports). */
export interface ManagerFactoryOptions extends ManagerCommonOptions {
  /** Builds the client of one slot generation. */
  readonly clientFactory: ClientFactory;
  /** Not with `clientFactory`. */
  readonly url?: never;
  /** Not with `clientFactory`. */
  readonly signer?: never;
  /** Not with `clientFactory`. */
  readonly client?: never;
}

/** Let the manager build `createKalshiClient` clients. */
export interface ManagerDialOptions extends ManagerCommonOptions {
  /** WebSocket URL, e.g. `wss://external-api-ws.kalshi.com/trade-api/ws/v2`. */
  readonly url: string;
  /** Signs every handshake. */
  readonly signer: KalshiSigner;
  /** Extra client options (timeouts, ...). */
  readonly client?: ManagerClientOptions;
  /** Not with `url` + `signer`. */
  readonly clientFactory?: never;
}

/** Options of `createConnectionManager`: exactly one of `clientFactory` or `url` + `signer`. */
export type ConnectionManagerOptions = ManagerFactoryOptions | ManagerDialOptions;

/** Every option after defaults and validation. */
export interface ResolvedManagerOptions {
  readonly clientFactory: ClientFactory | undefined;
  readonly url: string | undefined;
  readonly signer: KalshiSigner | undefined;
  readonly client: ManagerClientOptions;
  readonly registry: Registry;
  readonly router: Router | undefined;
  readonly layout: LayoutCounts;
  readonly marketsPerConnection: number;
  readonly minHealthyConnections: number;
  readonly maxTickersPerCommand: number;
  readonly admission: Required<AdmissionOptions>;
  readonly commandsPerSecond: number;
  readonly reconnect: Required<ReconnectOptions>;
  readonly repair: Required<RepairOptions>;
  readonly redundant: 'dedupe' | 'all';
  readonly dedupeWindow: number;
  readonly queue: Required<QueueOptions>;
  readonly healthCheck: Required<HealthCheckOptions>;
  readonly closeTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Defaults of every manager option (deep-frozen). */
export const managerDefaults = Object.freeze({
  /** 150 slots: 2 ticker, 2 trade, 2 lifecycle, 144 orderbook. */
  layout: Object.freeze({
    /** Slots 1-2. */
    ticker: 2,
    /** Slots 3-4. */
    trade: 2,
    /** Slots 5-6. */
    lifecycle: 2,
    /** Slots 7-150. */
    orderbook: 144,
  }),
  /** Markets per orderbook connection (144 x 7,500 = 1,080,000). */
  marketsPerConnection: 7_500,
  /** Connected slots `start()` needs (clamped to the slot count). */
  minHealthyConnections: 100,
  /** Markets per subscribe / update command. */
  maxTickersPerCommand: 1_000,
  /** Pool-wide dial limiter. */
  admission: Object.freeze({
    /** Dials per second. */
    dialsPerSecond: 10,
    /** Dials at once after idling. */
    burst: 5,
    /** Random extra delay of a waiting dial, up to this many ms. */
    jitterMs: 250,
  }),
  /** Pool-wide commands per second. */
  commandsPerSecond: 100,
  /** Per-slot reconnect backoff. */
  reconnect: Object.freeze({
    /** First delay, ms. */
    initialDelayMs: 1_000,
    /** Delay cap: 5 minutes. */
    maxDelayMs: 300_000,
    /** Doubling. */
    factor: 2,
    /** Random factor in [1, 2) on each delay. */
    randomize: true,
    /** One minute up resets the backoff. */
    stableAfterMs: 60_000,
    /** No circuit breaker. */
    maxAttempts: Number.POSITIVE_INFINITY,
  }),
  /** Gap repair. */
  repair: Object.freeze({
    /** On. */
    enabled: true,
    /** Markets per `get_snapshot`. */
    batchSize: 1_000,
  }),
  /** Each redundant-pair message delivered once. */
  redundant: 'dedupe' as 'dedupe' | 'all',
  /** Unmatched payloads remembered per role. */
  dedupeWindow: 65_536,
  /** Output queue. */
  queue: Object.freeze({
    /** Messages held at most. */
    capacity: 10_000,
    /** Resume reading at this depth. */
    lowWaterMark: 5_000,
    /** Stop reading the sockets when full. */
    overflow: 'pause' as OverflowPolicy,
  }),
  /** Health loop. */
  healthCheck: Object.freeze({
    /** One check round a minute. */
    intervalMs: 60_000,
    /** Failed checks in a row before `degraded`. */
    failuresBeforeDegraded: 3,
    /** Snapshots owed for this long: repair. */
    silentSubscriptionMs: 30_000,
  }),
  /** Graceful close wait per connection, ms. */
  closeTimeoutMs: 10_000,
});

type Bag = Readonly<Record<string, unknown>>;

function bag(value: unknown, name: string): Bag {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(name, `must be an object, got ${describe(value)}`);
  }
  return value as Bag;
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? 'null' : typeof value;
}

function num(value: unknown, fallback: number, name: string, min: number, options?: { integer?: boolean; infinite?: boolean }): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    value >= min &&
    (Number.isFinite(value) ? options?.integer !== true || Number.isInteger(value) : options?.infinite === true);
  if (!ok) {
    const kind = options?.integer === true ? 'an integer' : 'a number';
    throw new ConfigError(name, `must be ${kind} >= ${min}${options?.infinite === true ? ' (or Infinity)' : ''}, got ${describe(value)}`);
  }
  return value;
}

function bool(value: unknown, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(name, `must be a boolean, got ${describe(value)}`);
  return value;
}

function oneOf<T extends string>(value: unknown, fallback: T, name: string, allowed: readonly T[]): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

function hasMethods(value: unknown, name: string, methods: readonly string[]): void {
  if (typeof value !== 'object' || value === null) throw new ConfigError(name, `must be an object, got ${describe(value)}`);
  for (const method of methods) {
    if (typeof (value as Bag)[method] !== 'function') throw new ConfigError(name, `must have a ${method}() method`);
  }
}

function resolveClientSource(o: Bag): Pick<ResolvedManagerOptions, 'clientFactory' | 'url' | 'signer' | 'client'> {
  const { clientFactory, url, signer, client } = o;
  if (clientFactory !== undefined) {
    if (typeof clientFactory !== 'function') throw new ConfigError('clientFactory', `must be a function, got ${describe(clientFactory)}`);
    for (const [key, value] of [['url', url], ['signer', signer], ['client', client]] as const) {
      if (value !== undefined) throw new ConfigError(key, 'give either clientFactory or url + signer, not both');
    }
    return { clientFactory: clientFactory as ClientFactory, url: undefined, signer: undefined, client: {} };
  }
  if (url === undefined && signer === undefined) throw new ConfigError('clientFactory', 'give either clientFactory or url + signer');
  if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) throw new ConfigError('url', `must be a ws:// or wss:// URL, got ${describe(url)}`);
  hasMethods(signer, 'signer', ['headers']);
  const clientOptions = bag(client, 'client') as ManagerClientOptions;
  // Validate what every dial will build now (ws:// to a non-loopback host, bad timeouts): a ConfigError
  // at a dial would be retried by the reconnect loop forever instead of failing here.
  resolveKalshiClientOptions({ ...clientOptions, url, signer: signer as KalshiSigner });
  return { clientFactory: undefined, url, signer: signer as KalshiSigner, client: clientOptions };
}

function resolveLayout(value: unknown): LayoutCounts {
  const l = bag(value, 'layout');
  const d = managerDefaults.layout;
  const layout = {
    ticker: num(l['ticker'], d.ticker, 'layout.ticker', 0, { integer: true }),
    trade: num(l['trade'], d.trade, 'layout.trade', 0, { integer: true }),
    lifecycle: num(l['lifecycle'], d.lifecycle, 'layout.lifecycle', 0, { integer: true }),
    orderbook: num(l['orderbook'], d.orderbook, 'layout.orderbook', 0, { integer: true }),
  };
  const total = layout.ticker + layout.trade + layout.lifecycle + layout.orderbook;
  if (total < 1) throw new ConfigError('layout', 'must have at least one slot');
  if (total > 10_000) throw new ConfigError('layout', `must have at most 10000 slots, got ${total}`);
  return Object.freeze(layout);
}

/**
 * Applies defaults and validates every option.
 * @throws {ConfigError} naming the first bad option and its value.
 */
export function resolveManagerOptions(options: ConnectionManagerOptions): ResolvedManagerOptions {
  const o = bag(options, 'options');
  const d = managerDefaults;
  const source = resolveClientSource(o);
  hasMethods(o['registry'], 'registry', ['markets', 'onChange']);
  if (o['router'] !== undefined) hasMethods(o['router'], 'router', ['route']);
  if (o['clock'] !== undefined) hasMethods(o['clock'], 'clock', ['now', 'setTimeout', 'clearTimeout']);
  if (o['logger'] !== undefined) hasMethods(o['logger'], 'logger', ['debug', 'info', 'warn', 'error']);
  const layout = resolveLayout(o['layout']);
  const total = layout.ticker + layout.trade + layout.lifecycle + layout.orderbook;

  // An explicit minimum above the slot count can never be met; the default shrinks to small layouts.
  let minHealthyConnections = num(o['minHealthyConnections'], Math.min(d.minHealthyConnections, total), 'minHealthyConnections', 0, { integer: true });
  if (minHealthyConnections > total) {
    throw new ConfigError('minHealthyConnections', `must be <= the ${total} slots of the layout, got ${minHealthyConnections}`);
  }
  minHealthyConnections = Math.min(minHealthyConnections, total);

  const a = bag(o['admission'], 'admission');
  const admission = Object.freeze({
    dialsPerSecond: num(a['dialsPerSecond'], d.admission.dialsPerSecond, 'admission.dialsPerSecond', Number.MIN_VALUE),
    burst: num(a['burst'], d.admission.burst, 'admission.burst', 1, { integer: true }),
    jitterMs: num(a['jitterMs'], d.admission.jitterMs, 'admission.jitterMs', 0),
  });

  const r = bag(o['reconnect'], 'reconnect');
  const reconnect = Object.freeze({
    initialDelayMs: num(r['initialDelayMs'], d.reconnect.initialDelayMs, 'reconnect.initialDelayMs', 0),
    maxDelayMs: num(r['maxDelayMs'], d.reconnect.maxDelayMs, 'reconnect.maxDelayMs', 0),
    factor: num(r['factor'], d.reconnect.factor, 'reconnect.factor', 1),
    randomize: bool(r['randomize'], d.reconnect.randomize, 'reconnect.randomize'),
    stableAfterMs: num(r['stableAfterMs'], d.reconnect.stableAfterMs, 'reconnect.stableAfterMs', 0),
    maxAttempts: num(r['maxAttempts'], d.reconnect.maxAttempts, 'reconnect.maxAttempts', 1, { integer: true, infinite: true }),
  });
  if (reconnect.maxDelayMs < reconnect.initialDelayMs) {
    throw new ConfigError('reconnect.maxDelayMs', `must be >= reconnect.initialDelayMs (${reconnect.initialDelayMs}), got ${reconnect.maxDelayMs}`);
  }

  const p = bag(o['repair'], 'repair');
  const repair = Object.freeze({
    enabled: bool(p['enabled'], d.repair.enabled, 'repair.enabled'),
    batchSize: num(p['batchSize'], d.repair.batchSize, 'repair.batchSize', 1, { integer: true }),
  });

  const q = bag(o['queue'], 'queue');
  const capacity = num(q['capacity'], d.queue.capacity, 'queue.capacity', 1, { integer: true });
  const lowDefault = q['capacity'] === undefined ? d.queue.lowWaterMark : Math.floor(capacity / 2);
  const queue = Object.freeze({
    capacity,
    lowWaterMark: num(q['lowWaterMark'], lowDefault, 'queue.lowWaterMark', 0, { integer: true }),
    overflow: oneOf<OverflowPolicy>(q['overflow'], d.queue.overflow, 'queue.overflow', ['pause', 'drop-oldest', 'drop-newest']),
  });
  if (queue.lowWaterMark >= queue.capacity) {
    throw new ConfigError('queue.lowWaterMark', `must be < queue.capacity (${queue.capacity}), got ${queue.lowWaterMark}`);
  }

  const h = bag(o['healthCheck'], 'healthCheck');
  const healthCheck = Object.freeze({
    intervalMs: num(h['intervalMs'], d.healthCheck.intervalMs, 'healthCheck.intervalMs', 0),
    failuresBeforeDegraded: num(h['failuresBeforeDegraded'], d.healthCheck.failuresBeforeDegraded, 'healthCheck.failuresBeforeDegraded', 1, { integer: true }),
    silentSubscriptionMs: num(h['silentSubscriptionMs'], d.healthCheck.silentSubscriptionMs, 'healthCheck.silentSubscriptionMs', 0),
  });

  return Object.freeze({
    ...source,
    registry: o['registry'] as Registry,
    router: o['router'] as Router | undefined,
    layout,
    marketsPerConnection: num(o['marketsPerConnection'], d.marketsPerConnection, 'marketsPerConnection', 1, { integer: true }),
    minHealthyConnections,
    maxTickersPerCommand: num(o['maxTickersPerCommand'], d.maxTickersPerCommand, 'maxTickersPerCommand', 1, { integer: true }),
    admission,
    commandsPerSecond: num(o['commandsPerSecond'], d.commandsPerSecond, 'commandsPerSecond', Number.MIN_VALUE),
    reconnect,
    repair,
    redundant: oneOf(o['redundant'], d.redundant, 'redundant', ['dedupe', 'all']),
    dedupeWindow: num(o['dedupeWindow'], d.dedupeWindow, 'dedupeWindow', 1, { integer: true }),
    queue,
    healthCheck,
    closeTimeoutMs: num(o['closeTimeoutMs'], d.closeTimeoutMs, 'closeTimeoutMs', 0),
    clock: (o['clock'] as Clock | undefined) ?? systemClock,
    // Wrapped once here, so the manager, its slots and its clients share one rate limit.
    logger: o['logger'] === undefined ? silentLogger : createRateLimitedLogger(o['logger'] as Logger, { clock: (o['clock'] as Clock | undefined) ?? systemClock }),
  });
}
