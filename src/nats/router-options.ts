/**
 * Options of `createJetStreamRouter`, their frozen defaults and the resolver that validates them.
 * @packageDocumentation
 */
import { ConfigError } from '../errors';
import type { Clock } from '../ports/clock';
import { systemClock } from '../ports/clock';
import type { StreamProvisionOptions } from './stream';

/** Options of `createJetStreamRouter`. Only `servers` and `gathererId` are required. */
export interface JetStreamRouterOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  /** This gatherer's id, unique per process role (`shard0-a`); written to every message's headers. `[A-Za-z0-9_-]+`. */
  readonly gathererId: string;
  /** JetStream stream name. @default 'KALSHI' */
  readonly stream?: string;
  /** First subject token: frames go to `<prefix>.<type>.<market>`. @default 'kalshi' */
  readonly subjectPrefix?: string;
  /** Create the stream when missing (`{}` for the defaults), or `false` to require an existing one. @default false */
  readonly provision?: StreamProvisionOptions | false;
  /** Publishes awaiting their ack at most; `route()` waits for a free slot beyond it (the pool's backpressure). @default 256 */
  readonly maxInFlight?: number;
  /** Wait this long for one publish ack before retrying it with the same message id. @default 5_000 */
  readonly ackTimeoutMs?: number;
  /** First delay before a retry; doubles per attempt of the same message. @default 100 */
  readonly retryDelayMs?: number;
  /** Cap of the retry delay. @default 2_000 */
  readonly maxRetryDelayMs?: number;
  /** Dial timeout at start. @default 5_000 */
  readonly connectTimeoutMs?: number;
  /** `stop()` waits this long for unacknowledged publishes before closing. @default 10_000 */
  readonly drainTimeoutMs?: number;
  /** Time source (tests). @default systemClock */
  readonly clock?: Clock;
}

/** Defaults of {@link JetStreamRouterOptions}. */
export const JETSTREAM_ROUTER_DEFAULTS = Object.freeze({
  /** Default of `stream`: 'KALSHI'. */
  stream: 'KALSHI',
  /** Default of `subjectPrefix`: 'kalshi'. */
  subjectPrefix: 'kalshi',
  /** Default of `provision`: false. */
  provision: false as StreamProvisionOptions | false,
  /** Default of `maxInFlight`: 256. */
  maxInFlight: 256,
  /** Default of `ackTimeoutMs`: 5_000. */
  ackTimeoutMs: 5_000,
  /** Default of `retryDelayMs`: 100. */
  retryDelayMs: 100,
  /** Default of `maxRetryDelayMs`: 2_000. */
  maxRetryDelayMs: 2_000,
  /** Default of `connectTimeoutMs`: 5_000. */
  connectTimeoutMs: 5_000,
  /** Default of `drainTimeoutMs`: 10_000. */
  drainTimeoutMs: 10_000,
});

/** Options after validation and defaults. */
export interface ResolvedRouterOptions {
  readonly servers: string[];
  readonly gathererId: string;
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly provision: StreamProvisionOptions | false;
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly connectTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly clock: Clock;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** @throws {ConfigError} naming the option and the bad value. */
export function positiveInt(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(name, `must be an integer >= 1, got ${String(v)}`);
  return v;
}

/** @throws {ConfigError} when `value` is not a NATS-safe token. */
export function token(name: string, value: unknown, fallback?: string): string {
  const v = value ?? fallback;
  if (typeof v !== 'string' || !TOKEN.test(v)) throw new ConfigError(name, `must match [A-Za-z0-9_-]+, got ${String(v)}`);
  return v;
}

/** @throws {ConfigError} when `servers` is empty or not strings. */
export function resolveServers(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? [...(value as unknown[])] : [];
  if (list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) throw new ConfigError('servers', 'must be a NATS URL or a non-empty list of them');
  return list as string[];
}

/**
 * Validate router options and apply {@link JETSTREAM_ROUTER_DEFAULTS}.
 * @throws {ConfigError} naming the first bad option.
 */
export function resolveRouterOptions(options: JetStreamRouterOptions): ResolvedRouterOptions {
  if (options === null || typeof options !== 'object') throw new ConfigError('options', 'must be an object');
  const d = JETSTREAM_ROUTER_DEFAULTS;
  const provision = options.provision ?? d.provision;
  if (provision !== false && (provision === null || typeof provision !== 'object')) throw new ConfigError('provision', 'must be an object or false');
  return {
    servers: resolveServers(options.servers),
    gathererId: token('gathererId', options.gathererId),
    stream: token('stream', options.stream, d.stream),
    subjectPrefix: token('subjectPrefix', options.subjectPrefix, d.subjectPrefix),
    provision,
    maxInFlight: positiveInt('maxInFlight', options.maxInFlight, d.maxInFlight),
    ackTimeoutMs: positiveInt('ackTimeoutMs', options.ackTimeoutMs, d.ackTimeoutMs),
    retryDelayMs: positiveInt('retryDelayMs', options.retryDelayMs, d.retryDelayMs),
    maxRetryDelayMs: positiveInt('maxRetryDelayMs', options.maxRetryDelayMs, d.maxRetryDelayMs),
    connectTimeoutMs: positiveInt('connectTimeoutMs', options.connectTimeoutMs, d.connectTimeoutMs),
    drainTimeoutMs: positiveInt('drainTimeoutMs', options.drainTimeoutMs, d.drainTimeoutMs),
    clock: options.clock ?? systemClock,
  };
}
