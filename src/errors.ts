/**
 * Every error this package throws or emits is a {@link KalshiWsPoolError} with a stable `code`.
 * Messages name what failed (command, id, connection) and never contain key material.
 * @packageDocumentation
 */

import { printableText } from './internal/printable-text';

/** Stable error codes. Switch on `error.code`, not on the message. */
export const ErrorCode = {
  /** {@link ConfigError}: an option or argument is invalid. */
  config: 'KWP_CONFIG',
  /** {@link InvalidCommandError}: a command could not be built. */
  invalidCommand: 'KWP_INVALID_COMMAND',
  /** {@link ConnectError}: dialing failed (network, timeout, HTTP status). */
  connect: 'KWP_CONNECT',
  /** {@link AuthError}: credentials refused (HTTP 401/403) or the signer failed. */
  auth: 'KWP_AUTH',
  /** {@link RateLimitedError}: HTTP 429 at the handshake. */
  rateLimited: 'KWP_RATE_LIMITED',
  /** {@link RedirectError}: a REST request was answered with a redirect, which is never followed. */
  redirect: 'KWP_REDIRECT',
  /** {@link CommandTimeoutError}: a command got no reply in time. */
  commandTimeout: 'KWP_COMMAND_TIMEOUT',
  /** {@link CommandRejectedError}: Kalshi answered with `type: "error"`. */
  commandRejected: 'KWP_COMMAND_REJECTED',
  /** {@link ProtocolError}: an unreadable or unexpected frame. */
  protocol: 'KWP_PROTOCOL',
  /** {@link PoolStartError}: `start()` got fewer healthy connections than required. */
  poolStart: 'KWP_POOL_START',
  /** {@link NotReadyError}: `manager.ready()` gave up (timeout, abort or stop) before the pool was ready. */
  notReady: 'KWP_NOT_READY',
  /** {@link ClosedError}: the connection or manager is closed. */
  closed: 'KWP_CLOSED',
  /** {@link StateError}: an API used in a state that does not allow it. */
  state: 'KWP_STATE',
  /** `NatsStreamError` (`kalshi-ws-pool/nats`): the JetStream stream is missing or does not cover the subjects. */
  natsStream: 'KWP_NATS_STREAM',
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Brand that survives two copies of the package being loaded (`instanceof` does not). */
const brand = Symbol.for('kalshi-ws-pool.error');

/** Options every error accepts; `cause` is always chained. */
export interface ErrorOptions {
  /** The underlying error, kept on `error.cause`. */
  readonly cause?: unknown;
}

/**
 * Base class of every error from kalshi-ws-pool.
 * @example
 * if (isKalshiWsPoolError(error, 'KWP_AUTH')) process.exit(2);
 * @see docs/troubleshooting.md
 */
export class KalshiWsPoolError extends Error {
  /** Stable machine-readable code, `KWP_*`. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, brand, { value: true });
  }
}

/**
 * True when `value` is an error from any loaded copy of this package, optionally with the given code.
 * @example
 * isKalshiWsPoolError(err, 'KWP_COMMAND_TIMEOUT')
 */
export function isKalshiWsPoolError(value: unknown, code?: ErrorCode): value is KalshiWsPoolError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[brand] !== true) return false;
  return code === undefined || (value as KalshiWsPoolError).code === code;
}

/**
 * An option or argument is invalid. Thrown at once, naming the option and the bad value.
 * @see docs/troubleshooting.md
 */
export class ConfigError extends KalshiWsPoolError {
  /** Dotted path of the offending option, e.g. `layout.orderbook.capacity`. */
  readonly option: string;

  constructor(option: string, message: string, options?: ErrorOptions) {
    super(ErrorCode.config, `${option}: ${message}`, options);
    this.option = option;
  }
}

/**
 * A command could not be built: empty channel list, orderbook without markets, several sids, id < 1.
 * @see docs/troubleshooting.md
 */
export class InvalidCommandError extends KalshiWsPoolError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.invalidCommand, message, options);
  }
}

/** Fields shared by errors that happen on one connection. */
export interface ConnectionErrorOptions extends ErrorOptions {
  /** Pool connection id (1-based), when known. */
  readonly connectionId?: number;
}

/**
 * Dialing failed for a retryable reason: network error, timeout, HTTP 5xx.
 * @see docs/troubleshooting.md
 */
export class ConnectError extends KalshiWsPoolError {
  /** HTTP status of the rejected handshake, when there was one. */
  readonly status: number | undefined;
  /** Pool connection id, when known. */
  readonly connectionId: number | undefined;
  /** Whether dialing again may succeed. */
  readonly retryable: boolean;

  constructor(
    message: string,
    options?: ConnectionErrorOptions & { readonly status?: number; readonly retryable?: boolean },
    code: ErrorCode = ErrorCode.connect,
  ) {
    super(code, message, options);
    this.status = options?.status;
    this.connectionId = options?.connectionId;
    this.retryable = options?.retryable ?? true;
  }
}

/**
 * The handshake or a REST request was refused for credentials (HTTP 401/403), or the signer threw. Not retried.
 * Kalshi error 9 on a command arrives as a {@link CommandRejectedError} with classification `auth` instead.
 * @see docs/troubleshooting.md
 */
export class AuthError extends ConnectError {
  constructor(message: string, options?: ConnectionErrorOptions & { readonly status?: number }) {
    super(message, { ...options, retryable: false }, ErrorCode.auth);
  }
}

/**
 * HTTP 429 at the handshake. Retryable, after `retryAfterMs` when the server said so.
 * @see docs/troubleshooting.md
 */
export class RateLimitedError extends ConnectError {
  /** Delay the server asked for (`Retry-After`), in ms; undefined when absent. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: ConnectionErrorOptions & { readonly retryAfterMs?: number }) {
    super(message, { ...options, status: 429, retryable: true }, ErrorCode.rateLimited);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/**
 * A REST request was answered with an HTTP redirect (3xx). Redirects are never followed: they would carry
 * the signed `KALSHI-ACCESS-*` headers to another host or to plain HTTP. Usually a wrong `baseUrl`. Not retried.
 * @see docs/troubleshooting.md
 */
export class RedirectError extends ConnectError {
  /** The `Location` the server pointed to (control characters removed, at most 200 characters), or `''`. */
  readonly location: string;

  constructor(message: string, options: ErrorOptions & { readonly status: number; readonly location: string }) {
    super(message, { cause: options.cause, status: options.status, retryable: false }, ErrorCode.redirect);
    this.location = options.location;
  }
}

/**
 * A command got no reply in time. The pending entry is gone; a late reply is counted and dropped.
 * @see docs/troubleshooting.md
 */
export class CommandTimeoutError extends KalshiWsPoolError {
  /** Command name, e.g. `subscribe`. */
  readonly command: string;
  /** Command id on its connection. */
  readonly commandId: number;
  /** The timeout that elapsed, in ms. */
  readonly timeoutMs: number;

  constructor(command: string, commandId: number, timeoutMs: number, options?: ConnectionErrorOptions) {
    const on = options?.connectionId === undefined ? '' : ` on connection ${options.connectionId}`;
    super(ErrorCode.commandTimeout, `${command} (id ${commandId}) timed out after ${timeoutMs} ms${on}`, options);
    this.command = command;
    this.commandId = commandId;
    this.timeoutMs = timeoutMs;
  }
}

/** What a Kalshi error code means for the caller. See docs/errors.md. */
export type RejectionClass = 'terminal-subscription' | 'capacity' | 'rate-limit' | 'auth' | 'caller';

/**
 * Kalshi answered a command (or a subscription) with `type: "error"`.
 * @see docs/troubleshooting.md
 */
export class CommandRejectedError extends KalshiWsPoolError {
  /** Kalshi's numeric error code (`msg.code`). */
  readonly kalshiCode: number;
  /** What the code means for the pool. */
  readonly classification: RejectionClass;
  /** Command name, when the error answered a command. */
  readonly command: string | undefined;
  /** Command id, when the reply carried one. */
  readonly commandId: number | undefined;
  /** Subscription id, for sid-scoped errors. */
  readonly sid: number | undefined;

  constructor(
    kalshiCode: number,
    classification: RejectionClass,
    serverMessage: string,
    options?: ConnectionErrorOptions & {
      readonly command?: string;
      readonly commandId?: number;
      readonly sid?: number;
    },
  ) {
    const what = options?.command === undefined ? 'command' : options.command;
    const id = options?.commandId === undefined ? '' : ` (id ${options.commandId})`;
    const sid = options?.sid === undefined ? '' : ` on sid ${options.sid}`;
    const on = options?.connectionId === undefined ? '' : ` on connection ${options.connectionId}`;
    super(
      ErrorCode.commandRejected,
      `${what}${id} rejected by Kalshi with code ${kalshiCode} (${printableText(String(serverMessage))})${sid}${on}`,
      options,
    );
    this.kalshiCode = kalshiCode;
    this.classification = classification;
    this.command = options?.command;
    this.commandId = options?.commandId;
    this.sid = options?.sid;
  }
}

/**
 * The server sent something that breaks the protocol: not JSON, truncated, binary, oversized, unknown reply.
 * @see docs/troubleshooting.md
 */
export class ProtocolError extends KalshiWsPoolError {
  /** Short machine-readable reason, e.g. `not-object`, `truncated`, `binary`, `oversized`. */
  readonly reason: string;
  /** Pool connection id, when known. */
  readonly connectionId: number | undefined;

  constructor(reason: string, message: string, options?: ConnectionErrorOptions) {
    super(ErrorCode.protocol, message, options);
    this.reason = reason;
    this.connectionId = options?.connectionId;
  }
}

/** One slot's failure at start, as listed by {@link PoolStartError}. */
export interface SlotFailure {
  /** Pool connection id (1-based). */
  readonly connectionId: number;
  /** Why it did not come up. */
  readonly error: Error;
}

/**
 * `start()` got fewer healthy connections than `minHealthyConnections`. The message summarises the failures by
 * kind with a hint, e.g. `pool start failed: 0 healthy connections, 4 required; 4 × HTTP 401: the key id or
 * private key was rejected (see docs/troubleshooting.md)`; `failures` has each connection's error.
 * @see docs/troubleshooting.md
 */
export class PoolStartError extends KalshiWsPoolError {
  /** Connections that came up. */
  readonly healthy: number;
  /** The minimum that was required. */
  readonly required: number;
  /** Per-slot causes. */
  readonly failures: readonly SlotFailure[];

  /**
   * @param options.summary - what the failures were, by kind (the manager passes its summary); without it the
   * message only counts them.
   */
  constructor(
    healthy: number,
    required: number,
    failures: readonly SlotFailure[],
    options?: ErrorOptions & { readonly summary?: string },
  ) {
    const summary = options?.summary ?? '';
    const detail = summary === '' ? ` (${failures.length} failed)` : `; ${summary}`;
    super(ErrorCode.poolStart, `pool start failed: ${healthy} healthy connections, ${required} required${detail}`, options);
    this.healthy = healthy;
    this.required = required;
    this.failures = failures;
  }
}

/** Why `manager.ready()` gave up: its timeout elapsed, its signal aborted, or the manager stopped. */
export type NotReadyReason = 'timeout' | 'aborted' | 'stopped';

/**
 * `manager.ready()` gave up before every placed orderbook market was subscribed and snapshotted (and every
 * global channel subscribed). The pool itself keeps running (unless `reason` is `stopped`); see docs/lifecycle.md.
 * @example
 * try { await manager.ready({ timeoutMs: 30_000 }); } catch (e) { if (isKalshiWsPoolError(e, 'KWP_NOT_READY')) console.warn(e.message); }
 * @see docs/troubleshooting.md
 */
export class NotReadyError extends KalshiWsPoolError {
  /** What ended the wait. */
  readonly reason: NotReadyReason;
  /** Connections that were not ready yet when the wait ended. */
  readonly waitingConnections: number;
  /** Up to 20 of their connection ids. */
  readonly connectionIds: readonly number[];

  constructor(
    reason: NotReadyReason,
    message: string,
    options: ErrorOptions & { readonly waitingConnections: number; readonly connectionIds: readonly number[] },
  ) {
    super(ErrorCode.notReady, message, options);
    this.reason = reason;
    this.waitingConnections = options.waitingConnections;
    this.connectionIds = options.connectionIds;
  }
}

/**
 * The connection or manager is closed (or closed while the operation was pending).
 * @see docs/troubleshooting.md
 */
export class ClosedError extends KalshiWsPoolError {
  constructor(message: string, options?: ConnectionErrorOptions) {
    super(ErrorCode.closed, message, options);
  }
}

/**
 * An API was used in a state that does not allow it (e.g. a second concurrent iterator).
 * @see docs/troubleshooting.md
 */
export class StateError extends KalshiWsPoolError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.state, message, options);
  }
}
