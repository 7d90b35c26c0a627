/**
 * Options of `createConnectionManager`: the public type, the frozen defaults and the resolver that
 * validates everything up front (throwing `ConfigError` naming the option).
 * @packageDocumentation
 */
import type { ClientFactory } from '../client/client';
import type { KalshiClientOptions } from '../client/kalshi-client-options';
import { CLIENT_OPTION_KEYS, resolveKalshiClientOptions } from '../client/kalshi-client-options';
import { ConfigError } from '../errors';
import { describeValue, MAX_INT32, readBoolean, readDuration, readNumber, readOneOf, readOptions, requireMethods } from '../internal/validate';
import type { OptionBag } from '../internal/validate';
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

/** Pool-wide dial limiter (docs/reconnection.md "Admission limiter"). */
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
  /**
   * Optional byte budget: raw frame bytes held at most (integer >= 1), counted from each frame's byte length.
   * Reaching it applies `overflow` exactly as reaching `capacity` does; with `pause`, reading resumes once the
   * queue is down to half of it (and to `lowWaterMark` messages). See docs/backpressure.md.
   * @default undefined (no byte budget: only `capacity` bounds the queue)
   */
  readonly maxBytes?: number | undefined;
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
   * is never logged. Identical warnings and errors are rate-limited (once per 10 s, then a `{ suppressed, connectionIds }`
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
  readonly queue: Required<Omit<QueueOptions, 'maxBytes'>> & { readonly maxBytes: number | undefined };
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
    /** No byte budget. */
    maxBytes: undefined as number | undefined,
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

/** Every top-level option: those with a default plus the ports and the client source. */
const TOP_KEYS: readonly string[] = [
  ...Object.keys(managerDefaults), 'clientFactory', 'url', 'signer', 'client', 'registry', 'router', 'clock', 'logger',
];

/** Client options the manager forwards; `url`, `signer` and `connectionId` are its own. */
const CLIENT_KEYS: readonly string[] = CLIENT_OPTION_KEYS.filter((key) => key !== 'url' && key !== 'signer' && key !== 'connectionId');

function resolveClientSource(o: OptionBag): Pick<ResolvedManagerOptions, 'clientFactory' | 'url' | 'signer' | 'client'> {
  const { clientFactory, url, signer, client } = o;
  if (clientFactory !== undefined) {
    if (typeof clientFactory !== 'function') throw new ConfigError('clientFactory', `must be a function, got ${describeValue(clientFactory)}`);
    for (const [key, value] of [['url', url], ['signer', signer], ['client', client]] as const) {
      if (value !== undefined) throw new ConfigError(key, 'give either clientFactory or url + signer, not both');
    }
    return { clientFactory: clientFactory as ClientFactory, url: undefined, signer: undefined, client: {} };
  }
  if (url === undefined && signer === undefined) throw new ConfigError('clientFactory', 'give either clientFactory or url + signer');
  if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) throw new ConfigError('url', `must be a ws:// or wss:// URL, got ${describeValue(url)}`);
  requireMethods(signer, 'signer', ['headers']);
  const clientOptions = readOptions(client, 'client', CLIENT_KEYS) as ManagerClientOptions;
  // Validate exactly what every dial will build, with the client's own rules (ws:// to a non-loopback host,
  // timeouts, maxPayload, and the manager-level closeTimeoutMs/clock it forwards): a ConfigError at a dial
  // would otherwise fail every slot, and is never worth retrying.
  try {
    resolveKalshiClientOptions({ ...forwardedClientOptions(o), ...clientOptions, url, signer: signer as KalshiSigner });
  } catch (error) {
    if (error instanceof ConfigError && CLIENT_KEYS.includes(error.option) && clientOptions[error.option as keyof ManagerClientOptions] !== undefined) {
      throw new ConfigError(`client.${error.option}`, error.message.slice(error.option.length + 2), { cause: error });
    }
    throw error;
  }
  return { clientFactory: undefined, url, signer: signer as KalshiSigner, client: clientOptions };
}

/** The manager options every built client inherits (the manager's own `client` options win). */
function forwardedClientOptions(o: OptionBag): Partial<KalshiClientOptions> {
  const forwarded: { closeTimeoutMs?: number; clock?: Clock } = {};
  if (o['closeTimeoutMs'] !== undefined) forwarded.closeTimeoutMs = o['closeTimeoutMs'] as number;
  if (o['clock'] !== undefined) forwarded.clock = o['clock'] as Clock;
  return forwarded;
}

const INT = { integer: true, max: MAX_INT32 } as const;

function resolveLayout(value: unknown): LayoutCounts {
  const l = readOptions(value, 'layout', Object.keys(managerDefaults.layout));
  const d = managerDefaults.layout;
  const layout = {
    ticker: readNumber(l['ticker'], d.ticker, 'layout.ticker', INT),
    trade: readNumber(l['trade'], d.trade, 'layout.trade', INT),
    lifecycle: readNumber(l['lifecycle'], d.lifecycle, 'layout.lifecycle', INT),
    orderbook: readNumber(l['orderbook'], d.orderbook, 'layout.orderbook', INT),
  };
  const total = layout.ticker + layout.trade + layout.lifecycle + layout.orderbook;
  if (total < 1) throw new ConfigError('layout', 'must have at least one slot');
  if (total > 10_000) throw new ConfigError('layout', `must have at most 10000 slots, got ${total}`);
  return Object.freeze(layout);
}

/**
 * Applies defaults and validates every option, rejecting unknown keys at every level.
 * @throws {ConfigError} naming the first bad option (as written by the caller) and its value.
 */
export function resolveManagerOptions(options: ConnectionManagerOptions): ResolvedManagerOptions {
  if (options === undefined) throw new ConfigError('options', 'must be an object, got undefined');
  const o = readOptions(options, '', TOP_KEYS);
  const d = managerDefaults;
  requireMethods(o['registry'], 'registry', ['markets', 'onChange']);
  if (o['router'] !== undefined) requireMethods(o['router'], 'router', ['route']);
  if (o['clock'] !== undefined) requireMethods(o['clock'], 'clock', ['now', 'setTimeout', 'clearTimeout']);
  if (o['logger'] !== undefined) requireMethods(o['logger'], 'logger', ['debug', 'info', 'warn', 'error']);
  // Checked before the client source: with url + signer the client rules apply to it too (> 0).
  const closeTimeoutMs = readDuration(o['closeTimeoutMs'], d.closeTimeoutMs, 'closeTimeoutMs', false);
  const source = resolveClientSource(o);
  const layout = resolveLayout(o['layout']);
  const total = layout.ticker + layout.trade + layout.lifecycle + layout.orderbook;

  // An explicit minimum above the slot count can never be met; the default shrinks to small layouts.
  const minHealthyConnections = readNumber(o['minHealthyConnections'], Math.min(d.minHealthyConnections, total), 'minHealthyConnections', INT);
  if (minHealthyConnections > total) {
    throw new ConfigError('minHealthyConnections', `must be <= the ${total} slots of the layout, got ${minHealthyConnections}`);
  }

  const a = readOptions(o['admission'], 'admission', Object.keys(d.admission));
  const admission = Object.freeze({
    dialsPerSecond: readNumber(a['dialsPerSecond'], d.admission.dialsPerSecond, 'admission.dialsPerSecond', { exclusiveMin: true }),
    burst: readNumber(a['burst'], d.admission.burst, 'admission.burst', { ...INT, min: 1 }),
    jitterMs: readDuration(a['jitterMs'], d.admission.jitterMs, 'admission.jitterMs'),
  });

  const r = readOptions(o['reconnect'], 'reconnect', Object.keys(d.reconnect));
  const reconnect = Object.freeze({
    initialDelayMs: readDuration(r['initialDelayMs'], d.reconnect.initialDelayMs, 'reconnect.initialDelayMs'),
    maxDelayMs: readDuration(r['maxDelayMs'], d.reconnect.maxDelayMs, 'reconnect.maxDelayMs'),
    factor: readNumber(r['factor'], d.reconnect.factor, 'reconnect.factor', { min: 1 }),
    randomize: readBoolean(r['randomize'], d.reconnect.randomize, 'reconnect.randomize'),
    stableAfterMs: readDuration(r['stableAfterMs'], d.reconnect.stableAfterMs, 'reconnect.stableAfterMs'),
    maxAttempts: readNumber(r['maxAttempts'], d.reconnect.maxAttempts, 'reconnect.maxAttempts', { min: 1, integer: true, infinite: true }),
  });
  if (reconnect.maxDelayMs < reconnect.initialDelayMs) {
    throw new ConfigError('reconnect.maxDelayMs', `must be >= reconnect.initialDelayMs (${reconnect.initialDelayMs}), got ${reconnect.maxDelayMs}`);
  }

  const p = readOptions(o['repair'], 'repair', Object.keys(d.repair));
  const repair = Object.freeze({
    enabled: readBoolean(p['enabled'], d.repair.enabled, 'repair.enabled'),
    batchSize: readNumber(p['batchSize'], d.repair.batchSize, 'repair.batchSize', { ...INT, min: 1 }),
  });

  const q = readOptions(o['queue'], 'queue', Object.keys(d.queue));
  const capacity = readNumber(q['capacity'], d.queue.capacity, 'queue.capacity', { ...INT, min: 1 });
  const lowDefault = q['capacity'] === undefined ? d.queue.lowWaterMark : Math.floor(capacity / 2);
  const queue = Object.freeze({
    capacity,
    lowWaterMark: readNumber(q['lowWaterMark'], lowDefault, 'queue.lowWaterMark', INT),
    overflow: readOneOf<OverflowPolicy>(q['overflow'], d.queue.overflow, 'queue.overflow', ['pause', 'drop-oldest', 'drop-newest']),
    maxBytes: q['maxBytes'] === undefined ? d.queue.maxBytes : readNumber(q['maxBytes'], 0, 'queue.maxBytes', { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER }),
  });
  if (queue.lowWaterMark >= queue.capacity) {
    throw new ConfigError('queue.lowWaterMark', `must be < queue.capacity (${queue.capacity}), got ${queue.lowWaterMark}`);
  }

  const h = readOptions(o['healthCheck'], 'healthCheck', Object.keys(d.healthCheck));
  const healthCheck = Object.freeze({
    intervalMs: readDuration(h['intervalMs'], d.healthCheck.intervalMs, 'healthCheck.intervalMs'),
    failuresBeforeDegraded: readNumber(h['failuresBeforeDegraded'], d.healthCheck.failuresBeforeDegraded, 'healthCheck.failuresBeforeDegraded', { ...INT, min: 1 }),
    silentSubscriptionMs: readDuration(h['silentSubscriptionMs'], d.healthCheck.silentSubscriptionMs, 'healthCheck.silentSubscriptionMs'),
  });

  const clock = (o['clock'] as Clock | undefined) ?? systemClock;
  return Object.freeze({
    ...source,
    registry: o['registry'] as Registry,
    router: o['router'] as Router | undefined,
    layout,
    // Placement keeps per-slot counts in an Int32Array: the cap is checked here, under the user's name.
    marketsPerConnection: readNumber(o['marketsPerConnection'], d.marketsPerConnection, 'marketsPerConnection', { ...INT, min: 1 }),
    minHealthyConnections,
    maxTickersPerCommand: readNumber(o['maxTickersPerCommand'], d.maxTickersPerCommand, 'maxTickersPerCommand', { ...INT, min: 1 }),
    admission,
    commandsPerSecond: readNumber(o['commandsPerSecond'], d.commandsPerSecond, 'commandsPerSecond', { exclusiveMin: true }),
    reconnect,
    repair,
    redundant: readOneOf(o['redundant'], d.redundant, 'redundant', ['dedupe', 'all']),
    dedupeWindow: readNumber(o['dedupeWindow'], d.dedupeWindow, 'dedupeWindow', { ...INT, min: 1 }),
    queue,
    healthCheck,
    closeTimeoutMs,
    clock,
    // Wrapped once here, so the manager, its slots and its clients share one rate limit.
    logger: o['logger'] === undefined ? silentLogger : createRateLimitedLogger(o['logger'] as Logger, { clock }),
  });
}
