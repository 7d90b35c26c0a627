import type { ConnectionErrorOptions } from '../errors';
import { AuthError, ConnectError, RateLimitedError } from '../errors';

/**
 * Parses an HTTP `Retry-After` value (delta seconds or an HTTP date) into ms from `now`.
 * Returns undefined when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, now: number): number | undefined {
  const raw = typeof value === 'string' ? value : value?.[0];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : undefined;
  }
  // An HTTP date names its month (IMF-fixdate, RFC 850, asctime); anything else is not a Retry-After.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function on(context: ConnectionErrorOptions): string {
  return context.connectionId === undefined ? '' : ` on connection ${context.connectionId}`;
}

/**
 * Classifies a handshake answered with a non-101 HTTP status:
 * 401/403 -> {@link AuthError} (not retryable), 429 -> {@link RateLimitedError} with `retryAfterMs`,
 * 5xx and 408 -> {@link ConnectError} (retryable), any other status -> {@link ConnectError} (not retryable:
 * a wrong URL or a redirect does not heal by dialing again).
 */
export function classifyHandshakeStatus(
  status: number,
  retryAfter: string | readonly string[] | undefined,
  now: number,
  context: ConnectionErrorOptions,
): ConnectError {
  if (status === 401 || status === 403) {
    const why = status === 401 ? 'bad key, skewed clock or wrong environment' : 'forbidden';
    return new AuthError(`handshake rejected with HTTP ${status} (${why})${on(context)}`, { ...context, status });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    const after = retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs} ms`;
    return new RateLimitedError(
      `handshake rate limited with HTTP 429${after}${on(context)}`,
      retryAfterMs === undefined ? context : { ...context, retryAfterMs },
    );
  }
  const retryable = status >= 500 || status === 408;
  return new ConnectError(`handshake rejected with HTTP ${status}${on(context)}`, { ...context, status, retryable });
}

/** A network failure while dialing (refused, reset, DNS, TLS): retryable {@link ConnectError}. */
export function dialFailure(host: string, cause: unknown, context: ConnectionErrorOptions): ConnectError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new ConnectError(`connect to ${host} failed${detail}${on(context)}`, { ...context, cause });
}

/** The dial (signing + handshake) did not finish in time: retryable {@link ConnectError}. */
export function dialTimeout(host: string, timeoutMs: number, context: ConnectionErrorOptions): ConnectError {
  // An `ETIMEDOUT` cause lets a timeout be told apart from other dial failures without reading the message.
  const cause = Object.assign(new Error(`no handshake within ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
  return new ConnectError(`connect to ${host} timed out after ${timeoutMs} ms${on(context)}`, { ...context, cause });
}
