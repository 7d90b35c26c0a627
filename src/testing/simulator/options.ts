import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../../errors';
import { MAX_DURATION_MS, MAX_INT32, readBoolean, readDuration, readNumber, readOneOf, readOptions } from '../../internal/validate';

/**
 * Generated traffic. Every rate is a total across the whole simulator (frames per second), spread
 * round-robin over the subscriptions that can carry it. All rates default to 0: a quiet simulator.
 */
export interface SimulatorTrafficOptions {
  /**
   * `orderbook_delta` frames per second, spread over orderbook sids (each delta also reaches every
   * other orderbook sid holding the same market, so books stay consistent).
   * @default 0
   */
  readonly orderbookDeltasPerSecond?: number;
  /**
   * `trade` events per second, spread over trade sids (each reaches every trade sid covering the market).
   * @default 0
   */
  readonly tradesPerSecond?: number;
  /**
   * `ticker` events per second, spread over ticker sids (each reaches every ticker sid covering the market).
   * @default 0
   */
  readonly tickersPerSecond?: number;
  /**
   * Market churn per second: alternately a new market (`created` + `activated`) and the end of an old
   * one (`determined`), both reflected in the universe and the REST endpoint.
   * @default 0
   */
  readonly lifecyclePerSecond?: number;
  /**
   * Start a burst every this many ms (0 disables bursts).
   * @default 0
   */
  readonly burstEveryMs?: number;
  /**
   * Rate multiplier during a burst.
   * @default 5
   */
  readonly burstFactor?: number;
  /**
   * How long a burst lasts, in ms (capped at `burstEveryMs`).
   * @default 1000
   */
  readonly burstDurationMs?: number;
  /**
   * Period of the single traffic timer, in ms. Each tick emits `rate * elapsed` frames.
   * @default 5
   */
  readonly tickMs?: number;
}

/** Server-side limits, each answered the way Kalshi answers it. */
export interface SimulatorLimits {
  /**
   * Markets one subscription may hold; beyond it a command gets error 26 and changes nothing.
   * @default Infinity
   */
  readonly marketsPerSubscription?: number;
  /**
   * Commands per second that may target one subscription (merge-subscribe, update, unsubscribe);
   * beyond it error 27.
   * @default Infinity
   */
  readonly commandsPerSecondPerSubscription?: number;
  /**
   * When a socket's `bufferedAmount` passes this many bytes while a subscription has a frame to send,
   * that subscription gets error 25 and is dropped server-side (a slow reader).
   * @default 67108864 (64 MiB)
   */
  readonly maxBufferedBytes?: number;
  /**
   * Open connections per `KALSHI-ACCESS-KEY`; the next handshake gets HTTP 429.
   * @default Infinity
   */
  readonly connectionsPerKey?: number;
  /**
   * Largest inbound (client → server) frame, in bytes; `ws` closes with 1009 beyond it.
   * @default 16777216 (16 MiB)
   */
  readonly maxPayload?: number;
}

/** Options of `startSimulator`. Every field is optional. */
export interface SimulatorOptions {
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * TCP port; 0 picks a free one (read it from `simulator.url`).
   * @default 0
   */
  readonly port?: number;
  /**
   * The market universe: a count of generated tickers (realistic shapes such as
   * `KXBTCD-26NOV2317-T98999.99`) or an explicit list.
   * @default 100
   */
  readonly markets?: number | readonly string[];
  /**
   * Trusted public keys (PEM text or `KeyObject`). When omitted, a 2048-bit RSA key pair is generated
   * and exposed as `simulator.credentials`.
   */
  readonly publicKeys?: readonly (string | KeyObject)[];
  /**
   * Pin the accepted `KALSHI-ACCESS-KEY`. By default any key id is accepted whose signature verifies.
   */
  readonly keyId?: string;
  /**
   * Largest accepted skew between `KALSHI-ACCESS-TIMESTAMP` and the simulator's clock, in ms.
   * @default 30000
   */
  readonly timestampWindowMs?: number;
  /**
   * Interval of the `heartbeat` ping frames, in ms (0 disables pings).
   * @default 10000
   */
  readonly pingIntervalMs?: number;
  /** Generated traffic; see {@link SimulatorTrafficOptions}. Default: quiet. */
  readonly traffic?: SimulatorTrafficOptions;
  /**
   * Put the send time (ms since the epoch) in `ts_ms` of generated data frames, for latency
   * measurement. When false, `ts_ms` is the generation tick's time.
   * @default true
   */
  readonly stampSendTime?: boolean;
  /** Server-side limits; see {@link SimulatorLimits}. */
  readonly limits?: SimulatorLimits;
  /**
   * Seed of the simulator's pseudo-random generator (books, deltas, trades), for reproducible runs.
   * @default 1
   */
  readonly seed?: number;
  /**
   * Leave `id` out of sid-scoped errors that answer a command (as one real capture of error 13 shows).
   * By default such errors carry both the command `id` and `sid`+`seq`.
   * @default false
   */
  readonly omitIdOnSidErrors?: boolean;
  /**
   * Envelope key order of outgoing frames. Real captures show both `type,sid,seq,msg` and alphabetical
   * `msg,seq,sid,type`; `'mixed'` gives odd connection ids alphabetical and even ones type-first.
   * @default 'mixed'
   */
  readonly keyOrder?: SimulatorKeyOrder;
}

/** Envelope key order of the simulator's frames. */
export type SimulatorKeyOrder = 'mixed' | 'type-first' | 'alphabetical';

/** Defaults of {@link SimulatorTrafficOptions}. */
export const SIMULATOR_TRAFFIC_DEFAULTS = Object.freeze({
  /** No orderbook deltas. */
  orderbookDeltasPerSecond: 0,
  /** No trades. */
  tradesPerSecond: 0,
  /** No ticker updates. */
  tickersPerSecond: 0,
  /** No market churn. */
  lifecyclePerSecond: 0,
  /** No bursts. */
  burstEveryMs: 0,
  /** Rate multiplier during a burst. */
  burstFactor: 5,
  /** Burst length, ms. */
  burstDurationMs: 1000,
  /** Traffic generation tick, ms. */
  tickMs: 5,
});

/** Defaults of {@link SimulatorLimits}. */
export const SIMULATOR_LIMIT_DEFAULTS = Object.freeze({
  /** No market limit per subscription (error 26 never sent). */
  marketsPerSubscription: Number.POSITIVE_INFINITY,
  /** No command rate limit (error 27 never sent). */
  commandsPerSecondPerSubscription: Number.POSITIVE_INFINITY,
  /** A slow reader loses its subscription (error 25) past 64 MiB buffered. */
  maxBufferedBytes: 64 * 1024 * 1024,
  /** No connection limit per key (HTTP 429 never sent). */
  connectionsPerKey: Number.POSITIVE_INFINITY,
  /** Largest inbound frame: 16 MiB. */
  maxPayload: 16 * 1024 * 1024,
});

/** Defaults of {@link SimulatorOptions} (keys and key id have none: see the option docs). */
export const SIMULATOR_DEFAULTS = Object.freeze({
  /** Loopback only. */
  host: '127.0.0.1',
  /** A free port. */
  port: 0,
  /** 100 generated markets. */
  markets: 100,
  /** Accepted clock skew of a signed handshake, ms. */
  timestampWindowMs: 30_000,
  /** Heartbeat ping every 10 s, like Kalshi. */
  pingIntervalMs: 10_000,
  /** `ts_ms` of generated frames is their send time. */
  stampSendTime: true,
  /** Pseudo-random seed. */
  seed: 1,
  /** Sid-scoped errors that answer a command carry its `id`. */
  omitIdOnSidErrors: false,
  /** Odd connections alphabetical envelope keys, even ones type-first. */
  keyOrder: 'mixed' as SimulatorKeyOrder,
  /** {@link SIMULATOR_TRAFFIC_DEFAULTS}: quiet. */
  traffic: SIMULATOR_TRAFFIC_DEFAULTS,
  /** {@link SIMULATOR_LIMIT_DEFAULTS}: no limits but the buffer and payload caps. */
  limits: SIMULATOR_LIMIT_DEFAULTS,
});

/** {@link SimulatorTrafficOptions} with every default filled in. */
export type ResolvedTraffic = { -readonly [K in keyof typeof SIMULATOR_TRAFFIC_DEFAULTS]: number };
/** {@link SimulatorLimits} with every default filled in. */
export type ResolvedLimits = { readonly [K in keyof typeof SIMULATOR_LIMIT_DEFAULTS]: number };

/** {@link SimulatorOptions} validated, with defaults filled in (see each option for its meaning). */
export interface ResolvedSimulatorOptions {
  readonly host: string;
  readonly port: number;
  readonly markets: number | readonly string[];
  /** Trusted keys; undefined means "generate a key pair". */
  readonly publicKeys: readonly (string | KeyObject)[] | undefined;
  /** Pinned key id, or undefined to accept any. */
  readonly keyId: string | undefined;
  readonly timestampWindowMs: number;
  readonly pingIntervalMs: number;
  readonly traffic: ResolvedTraffic;
  readonly stampSendTime: boolean;
  readonly limits: ResolvedLimits;
  readonly seed: number;
  readonly omitIdOnSidErrors: boolean;
  readonly keyOrder: SimulatorKeyOrder;
}

/** A rate or limit: a number >= `min`, Infinity allowed (no limit). */
function rate(path: string, value: unknown, fallback: number, min = 0): number {
  return readNumber(value, fallback, path, { min, infinite: true });
}

/**
 * Validates traffic rates and fills defaults; shared by `startSimulator` and `simulator.setTraffic`.
 * @throws {ConfigError} naming the bad option.
 */
export function resolveTraffic(traffic: SimulatorTrafficOptions | undefined): ResolvedTraffic {
  const d = SIMULATOR_TRAFFIC_DEFAULTS;
  const t = readOptions(traffic, 'traffic', Object.keys(d));
  return {
    orderbookDeltasPerSecond: rate('traffic.orderbookDeltasPerSecond', t['orderbookDeltasPerSecond'], d.orderbookDeltasPerSecond),
    tradesPerSecond: rate('traffic.tradesPerSecond', t['tradesPerSecond'], d.tradesPerSecond),
    tickersPerSecond: rate('traffic.tickersPerSecond', t['tickersPerSecond'], d.tickersPerSecond),
    lifecyclePerSecond: rate('traffic.lifecyclePerSecond', t['lifecyclePerSecond'], d.lifecyclePerSecond),
    burstEveryMs: readDuration(t['burstEveryMs'], d.burstEveryMs, 'traffic.burstEveryMs'),
    burstFactor: rate('traffic.burstFactor', t['burstFactor'], d.burstFactor),
    burstDurationMs: readDuration(t['burstDurationMs'], d.burstDurationMs, 'traffic.burstDurationMs'),
    tickMs: readNumber(t['tickMs'], d.tickMs, 'traffic.tickMs', { min: 1, max: MAX_DURATION_MS }),
  };
}

function resolveKeyOrder(value: unknown): SimulatorKeyOrder {
  return readOneOf<SimulatorKeyOrder>(value, SIMULATOR_DEFAULTS.keyOrder, 'keyOrder', ['mixed', 'type-first', 'alphabetical']);
}

/**
 * Validates {@link SimulatorOptions} and fills in {@link SIMULATOR_DEFAULTS}.
 * @throws {ConfigError} naming the option and the bad value.
 */
export function resolveSimulatorOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  const d = SIMULATOR_DEFAULTS;
  readOptions(options, '', [...Object.keys(d), 'publicKeys', 'keyId']);
  const host = options.host ?? d.host;
  if (typeof host !== 'string' || host === '') throw new ConfigError('host', 'must be a non-empty string');
  const markets = options.markets ?? d.markets;
  if (typeof markets === 'number') {
    readNumber(markets, d.markets, 'markets', { integer: true, max: MAX_INT32 });
  } else if (!Array.isArray(markets) || markets.some((m) => typeof m !== 'string' || m === '')) {
    throw new ConfigError('markets', 'must be a count or an array of non-empty tickers');
  }
  if (options.publicKeys !== undefined && (!Array.isArray(options.publicKeys) || options.publicKeys.length === 0)) {
    throw new ConfigError('publicKeys', 'must be a non-empty array when given');
  }
  if (options.keyId !== undefined && (typeof options.keyId !== 'string' || options.keyId === '')) {
    throw new ConfigError('keyId', 'must be a non-empty string when given');
  }
  const l = SIMULATOR_LIMIT_DEFAULTS;
  const limits = readOptions(options.limits, 'limits', Object.keys(l));
  return {
    host,
    port: readNumber(options.port, d.port, 'port', { integer: true, max: 65_535 }),
    markets,
    publicKeys: options.publicKeys,
    keyId: options.keyId,
    timestampWindowMs: readDuration(options.timestampWindowMs, d.timestampWindowMs, 'timestampWindowMs'),
    pingIntervalMs: readDuration(options.pingIntervalMs, d.pingIntervalMs, 'pingIntervalMs'),
    traffic: resolveTraffic(options.traffic),
    stampSendTime: readBoolean(options.stampSendTime, d.stampSendTime, 'stampSendTime'),
    limits: {
      marketsPerSubscription: rate('limits.marketsPerSubscription', limits['marketsPerSubscription'], l.marketsPerSubscription, 1),
      commandsPerSecondPerSubscription: rate(
        'limits.commandsPerSecondPerSubscription',
        limits['commandsPerSecondPerSubscription'],
        l.commandsPerSecondPerSubscription,
        1,
      ),
      maxBufferedBytes: rate('limits.maxBufferedBytes', limits['maxBufferedBytes'], l.maxBufferedBytes, 1),
      connectionsPerKey: rate('limits.connectionsPerKey', limits['connectionsPerKey'], l.connectionsPerKey, 1),
      // ws keeps the limit with `| 0`: above 2^31-1 it would vanish or shrink.
      maxPayload: readNumber(limits['maxPayload'], l.maxPayload, 'limits.maxPayload', { min: 1, max: MAX_INT32, integer: true }),
    },
    seed: readNumber(options.seed, d.seed, 'seed', { integer: true, max: Number.MAX_SAFE_INTEGER }),
    omitIdOnSidErrors: readBoolean(options.omitIdOnSidErrors, d.omitIdOnSidErrors, 'omitIdOnSidErrors'),
    keyOrder: resolveKeyOrder(options.keyOrder),
  };
}
