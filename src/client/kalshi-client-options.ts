import { ConfigError } from '../errors';
import { isTransportAllowed } from '../internal/transport-policy';

export { isLoopbackHost } from '../internal/transport-policy';
import { MAX_INT32, describeValue, readBoolean, readDuration, readNumber, readOptions, requireMethods } from '../internal/validate';
import type { Clock } from '../ports/clock';
import { systemClock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { silentLogger } from '../ports/logger';
import type { KalshiSigner } from '../protocol/kalshi/auth-headers';

/**
 * A WebSocket constructor: `ws` (Node; signed headers are sent), or a browser-style
 * class such as mock-socket's or `globalThis.WebSocket` (no handshake headers: tests and unsigned use only).
 */
export type WebSocketConstructor = new (url: string, ...rest: never[]) => object;

/**
 * How a client speaks WebSocket: `ws` (the `ws` package, or the `WebSocket` constructor given) or
 * `native` (the SDK's own Node-only RFC 6455 client, cheaper per frame; see docs/transport.md).
 */
export type ClientTransport = 'ws' | 'native';

/** Options of {@link createKalshiClient}. Durations are in ms. */
export interface KalshiClientOptions {
  /** `wss://…/trade-api/ws/v2`. `ws://` is allowed only for loopback hosts unless `allowInsecureTransport`. */
  readonly url: string;
  /** Signs each dial afresh (`KALSHI-ACCESS-*` headers). */
  readonly signer: KalshiSigner;
  /** Pool connection id, used in error messages and logs only. */
  readonly connectionId?: number;
  /**
   * Time allowed for signing plus the whole opening handshake.
   * @default 10_000
   */
  readonly dialTimeoutMs?: number;
  /**
   * Time a command waits for its reply (per-command `timeoutMs` overrides it). Must be > 0.
   * @default 5_000
   */
  readonly commandTimeoutMs?: number;
  /**
   * Silence (no inbound frame, ping or pong) after which the socket is terminated and closed as `stale`.
   * Checked every `staleAfterMs / 4`, so detection happens between 1x and 1.25x this value.
   * @default 30_000
   */
  readonly staleAfterMs?: number;
  /**
   * Interval of client pings, for half-open detection on quiet links; 0 turns them off.
   * @default 0
   */
  readonly pingIntervalMs?: number;
  /**
   * How long `close()` waits for the peer's close frame before terminating the socket.
   * @default 10_000
   */
  readonly closeTimeoutMs?: number;
  /**
   * Largest inbound message in bytes; a bigger one ends the connection (`protocolError` with a
   * `ProtocolError` of reason `oversized`, code `KWP_PROTOCOL`, then close kind `error`).
   * The default leaves 4x headroom over the largest legitimate Kalshi frame (an `ok` reply listing 7,500
   * tickers of 128 characters, about 1 MB; a full order book snapshot is at most about 0.5 MB): see
   * docs/security.md. Raise it when `marketsPerConnection` is above about 25,000. At most 2^31-1.
   * @default 4_194_304 (4 MiB)
   */
  readonly maxPayload?: number;
  /**
   * Negotiate permessage-deflate (see docs/decisions/client-compression.md).
   * @default false
   */
  readonly perMessageDeflate?: boolean;
  /**
   * Skip `ws`'s UTF-8 check of text frames (its `skipUTF8Validation`), for throughput. The trade-off:
   * frames are delivered as the server sent them, invalid UTF-8 included, instead of the connection being
   * closed with 1007. The envelope scan still checks every frame's top-level structure, and a frame it
   * cannot read is still a `protocolError`; only the bytes inside strings go unchecked. Measured in
   * docs/benchmarks.md. Ignored by browser-style WebSocket constructors (they always validate).
   * @default false
   */
  readonly skipUTF8Validation?: boolean;
  /**
   * The WebSocket implementation: `ws` (the `ws` package, battle-tested) or `native`, the SDK's own
   * Node-only client (HTTP upgrade on a plain TCP/TLS socket, its own frame reader), which costs less CPU
   * per frame. `native` never negotiates compression and cannot be combined with a `WebSocket`
   * constructor or `perMessageDeflate: true`. Opt-in while 0.x: see docs/transport.md.
   * @default 'ws'
   */
  readonly transport?: ClientTransport;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** pino-shaped logger; never receives headers or key material. @default silentLogger */
  readonly logger?: Logger;
  /**
   * Allow `ws://` to non-loopback hosts. TLS certificate verification is never disabled either way.
   * @default false
   */
  readonly allowInsecureTransport?: boolean;
  /** WebSocket constructor override (mock-socket in tests). @default ws */
  readonly WebSocket?: WebSocketConstructor;
}

/** Defaults of {@link KalshiClientOptions}, frozen. */
export const kalshiClientDefaults = Object.freeze({
  /** Signing plus handshake, ms. */
  dialTimeoutMs: 10_000,
  /** Wait for a command's reply, ms. */
  commandTimeoutMs: 5_000,
  /** Silence before the link is declared stale, ms. */
  staleAfterMs: 30_000,
  /** Client pings off. */
  pingIntervalMs: 0,
  /** Wait for the peer's close frame, ms. */
  closeTimeoutMs: 10_000,
  /** Largest inbound message: 4 MiB (see docs/security.md for the measurement). */
  maxPayload: 4 * 1024 * 1024,
  /** Compression off. */
  perMessageDeflate: false,
  /** `ws` validates UTF-8. */
  skipUTF8Validation: false,
  /** The `ws` package. */
  transport: 'ws' as ClientTransport,
  /** `ws://` only on loopback. */
  allowInsecureTransport: false,
} as const);

/** Options after validation, every default filled in. */
export interface ResolvedKalshiClientOptions {
  readonly url: string;
  readonly host: string;
  readonly signer: KalshiSigner;
  readonly connectionId: number | undefined;
  readonly dialTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly staleAfterMs: number;
  readonly pingIntervalMs: number;
  readonly closeTimeoutMs: number;
  readonly maxPayload: number;
  readonly perMessageDeflate: boolean;
  readonly skipUTF8Validation: boolean;
  readonly transport: ClientTransport;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly allowInsecureTransport: boolean;
  readonly WebSocket: WebSocketConstructor | undefined;
}

/**
 * Throws {@link ConfigError} unless `value` is a finite duration in `(0, 2^31-1]` (or `[0, …]` when `allowZero`).
 * @throws {ConfigError} naming `option`.
 */
export function checkDuration(option: string, value: unknown, allowZero = false): number {
  if (value === undefined) throw new ConfigError(option, 'must be a number, got undefined');
  return readDuration(value, 0, option, allowZero);
}

/** Every key of {@link KalshiClientOptions} (internal); anything else is a typo and rejected. */
export const CLIENT_OPTION_KEYS: readonly string[] = Object.freeze([
  ...Object.keys(kalshiClientDefaults), 'url', 'signer', 'connectionId', 'clock', 'logger', 'WebSocket',
]);

function checkUrl(value: unknown, allowInsecure: boolean): URL {
  if (typeof value !== 'string' || value === '') throw new ConfigError('url', 'expected a non-empty string');
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new ConfigError('url', `not a valid URL: ${value}`, { cause: error });
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    throw new ConfigError('url', `expected a wss:// or ws:// URL, got ${url.protocol}//`);
  }
  // Plain ws:// sends signed headers and market data in clear text: only on this machine unless asked.
  if (!isTransportAllowed(url, allowInsecure)) {
    throw new ConfigError(
      'url',
      `ws:// is only allowed for loopback hosts (got ${url.hostname}); use wss:// or set allowInsecureTransport`,
    );
  }
  return url;
}

/** Reads `transport`: `native` owns the socket, so it takes no constructor and negotiates no compression. */
function checkTransport(value: unknown, WebSocket: unknown, perMessageDeflate: boolean): ClientTransport {
  if (value === undefined) return kalshiClientDefaults.transport;
  if (value !== 'ws' && value !== 'native') {
    throw new ConfigError('transport', `expected 'ws' or 'native', got ${describeValue(value)}`);
  }
  if (value === 'native' && WebSocket !== undefined) {
    throw new ConfigError('transport', "'native' opens its own socket and cannot be combined with a WebSocket constructor");
  }
  if (value === 'native' && perMessageDeflate) {
    throw new ConfigError('transport', "'native' never negotiates compression: it cannot be combined with perMessageDeflate: true");
  }
  return value;
}

/**
 * Validates {@link KalshiClientOptions} and fills in {@link kalshiClientDefaults}.
 * @throws {ConfigError} naming the first bad option and its value.
 */
export function resolveKalshiClientOptions(options: KalshiClientOptions): ResolvedKalshiClientOptions {
  if (options === undefined) throw new ConfigError('options', 'must be an object, got undefined');
  readOptions(options, '', CLIENT_OPTION_KEYS);
  const d = kalshiClientDefaults;
  const allowInsecureTransport = readBoolean(options.allowInsecureTransport, d.allowInsecureTransport, 'allowInsecureTransport');
  const url = checkUrl(options.url, allowInsecureTransport);
  const signer: unknown = options.signer;
  if (typeof signer !== 'object' || signer === null || typeof (signer as KalshiSigner).headers !== 'function') {
    throw new ConfigError('signer', 'expected a KalshiSigner with a headers(method, path, signal) method');
  }
  const connectionId = options.connectionId;
  if (connectionId !== undefined && (!Number.isSafeInteger(connectionId) || connectionId < 0)) {
    throw new ConfigError('connectionId', `expected an integer >= 0, got ${String(connectionId)}`);
  }
  // ws stores the limit with `| 0`: 2^32 would mean "no limit" and 2^32+1000 a limit of 1000 bytes.
  const maxPayload = readNumber(options.maxPayload, d.maxPayload, 'maxPayload', { min: 1, max: MAX_INT32, integer: true });
  const WebSocket = options.WebSocket;
  if (WebSocket !== undefined && typeof WebSocket !== 'function') {
    throw new ConfigError('WebSocket', 'expected a WebSocket constructor');
  }
  const perMessageDeflate = readBoolean(options.perMessageDeflate, d.perMessageDeflate, 'perMessageDeflate');
  const transport = checkTransport(options.transport, WebSocket, perMessageDeflate);
  const clock = options.clock ?? systemClock;
  requireMethods(clock, 'clock', ['now', 'setTimeout', 'clearTimeout']);
  const logger = options.logger ?? silentLogger;
  requireMethods(logger, 'logger', ['debug', 'info', 'warn', 'error']);
  return {
    url: url.href,
    host: url.host,
    signer: options.signer,
    connectionId,
    dialTimeoutMs: readDuration(options.dialTimeoutMs, d.dialTimeoutMs, 'dialTimeoutMs', false),
    commandTimeoutMs: readDuration(options.commandTimeoutMs, d.commandTimeoutMs, 'commandTimeoutMs', false),
    staleAfterMs: readDuration(options.staleAfterMs, d.staleAfterMs, 'staleAfterMs', false),
    pingIntervalMs: readDuration(options.pingIntervalMs, d.pingIntervalMs, 'pingIntervalMs'),
    closeTimeoutMs: readDuration(options.closeTimeoutMs, d.closeTimeoutMs, 'closeTimeoutMs', false),
    maxPayload,
    perMessageDeflate,
    skipUTF8Validation: readBoolean(options.skipUTF8Validation, d.skipUTF8Validation, 'skipUTF8Validation'),
    transport,
    clock,
    logger,
    allowInsecureTransport,
    WebSocket,
  };
}
