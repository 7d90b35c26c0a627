/**
 * Errors of the `kalshi-ws-pool/nats` subpath. Both are {@link KalshiWsPoolError}s, so
 * `isKalshiWsPoolError` and `error.code` work as for the rest of the package.
 * @packageDocumentation
 */
import { ConnectError, ErrorCode, KalshiWsPoolError } from '../errors';
import type { ErrorOptions } from '../errors';

/** NATS could not be reached at start (code `KWP_CONNECT`). The message names the URL, never credentials. */
export class NatsConnectError extends ConnectError {
  /** The server URL that was dialed (user info stripped). */
  readonly url: string;

  constructor(url: string, options?: ErrorOptions) {
    const safe = stripUserInfo(url);
    super(`NATS unreachable at ${safe}`, { ...options, retryable: true });
    this.url = safe;
  }
}

/**
 * The JetStream stream is missing, or its subjects do not cover the router's (code `KWP_NATS_STREAM`).
 * Raised at start, so messages are never silently dropped by a stream that would not store them.
 */
export class NatsStreamError extends KalshiWsPoolError {
  /** The stream name. */
  readonly stream: string;

  constructor(stream: string, message: string, options?: ErrorOptions) {
    super(ErrorCode.natsStream, `stream ${stream}: ${message}`, options);
    this.stream = stream;
  }
}

/** `nats://user:pass@host:4222` → `nats://host:4222`, so secrets never reach a message. */
export function stripUserInfo(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
