import { AuthError, ConnectError, ProtocolError, RateLimitedError, isKalshiWsPoolError } from '../errors';
import type { Clock } from '../ports/clock';
import type { KalshiSigner } from '../protocol/kalshi/auth-headers';

/** What one `GET /markets` page request needs. */
export interface RestRequestContext {
  readonly signer: KalshiSigner;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
}

/** One decoded page: raw market entries and the next cursor (`''` on the last page). */
export interface MarketsPage {
  readonly markets: readonly unknown[];
  readonly cursor: string;
}

/**
 * Parses `Retry-After` (delta seconds or an HTTP date) into ms from `now`; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describe(url: URL): string {
  // Only the path: the query holds nothing secret, but it is noise in messages.
  return `GET ${url.pathname}`;
}

function classifyStatus(response: Response, url: URL, now: number): Error {
  const what = describe(url);
  const status = response.status;
  if (status === 401 || status === 403) {
    return new AuthError(`${what} rejected with HTTP ${status}: check the API key id, private key, environment and clock`, { status });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
    return new RateLimitedError(`${what} rate limited (HTTP 429)`, retryAfterMs === undefined ? {} : { retryAfterMs });
  }
  // 5xx and 408 may pass; any other 4xx means a wrong baseUrl or request and will not fix itself.
  const retryable = status >= 500 || status === 408;
  return new ConnectError(`${what} failed with HTTP ${status}`, { status, retryable });
}

function decodePage(body: unknown, url: URL): MarketsPage {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { markets?: unknown }).markets)) {
    throw new ProtocolError('rest-body', `${describe(url)} returned a body without a markets array`);
  }
  const { markets, cursor } = body as { markets: unknown[]; cursor?: unknown };
  return { markets, cursor: typeof cursor === 'string' ? cursor : '' };
}

/**
 * Fetches and decodes one page, signed for `GET` + the URL path (no query), bounded by `requestTimeoutMs`.
 * @throws {AuthError} on HTTP 401/403.
 * @throws {RateLimitedError} on HTTP 429 (with `retryAfterMs` when the server sent `Retry-After`).
 * @throws {ConnectError} on other HTTP errors (retryable for 5xx/408), network errors and timeouts.
 * @throws {ProtocolError} when the body is not `{ markets: [...] }` JSON.
 * @throws `signal.reason` when `signal` aborts.
 */
export async function requestMarketsPage(context: RestRequestContext, url: URL, signal: AbortSignal): Promise<MarketsPage> {
  return decodePage(await requestSignedJson(context, url, signal), url);
}

/**
 * One signed `GET` returning the decoded JSON body (any shape), with the same status classification,
 * timeout and abort handling as {@link requestMarketsPage}. The user-data backfill uses it too.
 * @throws {AuthError} on HTTP 401/403.
 * @throws {RateLimitedError} on HTTP 429.
 * @throws {ConnectError} on other HTTP errors, network errors and timeouts.
 * @throws {ProtocolError} when the body is not JSON.
 * @throws `signal.reason` when `signal` aborts.
 */
export async function requestSignedJson(context: RestRequestContext, url: URL, signal: AbortSignal): Promise<unknown> {
  signal.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = context.clock.setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('request timeout'));
  }, context.requestTimeoutMs);
  try {
    const headers = await context.signer.headers('GET', url.pathname, controller.signal);
    const response = await context.fetch(url, {
      method: 'GET',
      headers: { ...headers, accept: 'application/json' },
      signal: controller.signal,
    });
    if (!response.ok) {
      // Release the connection; the body of an error reply is not needed.
      await response.body?.cancel().catch(() => undefined);
      throw classifyStatus(response, url, context.clock.now());
    }
    try {
      return (await response.json()) as unknown;
    } catch (error) {
      if (controller.signal.aborted) throw error;
      throw new ProtocolError('rest-body', `${describe(url)} returned a body that is not JSON`);
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (timedOut) {
      throw new ConnectError(`${describe(url)} timed out after ${context.requestTimeoutMs} ms`, { cause: error });
    }
    if (isKalshiWsPoolError(error)) throw error;
    throw new ConnectError(`${describe(url)} failed: network error`, { cause: error });
  } finally {
    context.clock.clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
