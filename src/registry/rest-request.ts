/**
 * The single REST transport of the package. Every REST call (markets today; order books, portfolio later)
 * goes through {@link restRequest}, so every call gets the same rules:
 * - redirects are never followed (a 3xx is a {@link RedirectError} naming the location), because fetch
 *   would forward the signed `KALSHI-ACCESS-*` headers to the new host or over plain HTTP;
 * - the base URL is `https:`, or `http:` only for loopback hosts unless `allowInsecureTransport`
 *   ({@link resolveRestBaseUrl}, the same check as the socket's `ws:` rule);
 * - a per-request timeout, an `AbortSignal`, and a cap on the response body size;
 * - errors that never contain headers, the key id, the timestamp or the signature.
 */
import { AuthError, ConfigError, ConnectError, ProtocolError, RateLimitedError, RedirectError, isKalshiWsPoolError } from '../errors';
import { printableText } from '../internal/printable-text';
import { isTransportAllowed } from '../internal/transport-policy';
import type { Clock } from '../ports/clock';
import type { KalshiSigner } from '../protocol/kalshi/auth-headers';

/** Largest REST response body read by default: 16 MiB (a full 1000-market page is about 2-3 MB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** What the transport needs, shared by every request of one REST client. */
export interface RestTransport {
  /** Validated base URL without trailing slash, from {@link resolveRestBaseUrl}. */
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  /** Per-request timeout (headers and body), ms. */
  readonly requestTimeoutMs: number;
  /** Largest response body in bytes; a larger one is a `ProtocolError` (`rest-body-too-large`). */
  readonly maxResponseBytes: number;
}

/** One request. */
export interface RestRequest {
  /** HTTP method. @default 'GET' */
  readonly method?: 'GET' | 'DELETE';
  /** Path below the base URL, starting with `/`, e.g. `/markets`. */
  readonly path: string;
  /** Query parameters; `undefined` values are left out. Not signed (Kalshi signs the path only). */
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Signs `METHOD` + the full URL path; omit for public endpoints. */
  readonly signer?: KalshiSigner;
  /** Aborts the request; its reason is thrown. */
  readonly signal: AbortSignal;
  /** Overrides {@link RestTransport.maxResponseBytes} for this request. */
  readonly maxResponseBytes?: number;
}

/**
 * Validates a REST base URL: absolute `https:` (or `http:` to a loopback host, or to any host with
 * `allowInsecureTransport`), no query or fragment. Returns it without trailing slashes.
 * @throws {ConfigError} naming `option`.
 */
export function resolveRestBaseUrl(option: string, value: unknown, allowInsecureTransport: boolean): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch (error) {
    throw new ConfigError(option, `must be an absolute http(s) URL, got ${String(value)}`, { cause: error });
  }
  if (typeof value !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(option, `must be an absolute http(s) URL, got ${String(value)}`);
  }
  if (url.search !== '' || url.hash !== '') throw new ConfigError(option, 'must not have a query or fragment');
  if (url.username !== '' || url.password !== '') throw new ConfigError(option, 'must not contain credentials');
  // Plain http sends the signed headers and the data in clear text: only on this machine unless asked.
  if (!isTransportAllowed(url, allowInsecureTransport)) {
    throw new ConfigError(
      option,
      `http:// is only allowed for loopback hosts (got ${url.hostname}); use https:// or set allowInsecureTransport`,
    );
  }
  return url.href.replace(/\/+$/, '');
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

function classifyStatus(response: Response, what: string, now: number): Error {
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

function redirected(response: Response, what: string): RedirectError {
  // `opaqueredirect` (status 0) is what a spec fetch gives for `redirect: 'manual'`; undici gives the 3xx.
  const location = printableText(response.headers.get('location') ?? '');
  const status = response.status;
  const to = location === '' ? '' : ` to ${location}`;
  return new RedirectError(
    `${what} was redirected (HTTP ${status})${to}; redirects are not followed (they would carry the signed headers): check baseUrl`,
    { status, location },
  );
}

/** Reads the body as text, failing once more than `limit` bytes arrive (before the rest is downloaded). */
async function readLimited(response: Response, limit: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new ProtocolError('rest-body-too-large', `${what} body of ${declared} bytes exceeds the ${limit}-byte cap`);
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new ProtocolError('rest-body-too-large', `${what} body exceeds the ${limit}-byte cap`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** True when the message of `error` or of a cause (three levels deep) contains one of `secrets`. */
function mentionsAny(error: unknown, secrets: readonly string[]): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    const message = current instanceof Error ? current.message : String(current);
    if (secrets.some((secret) => secret !== '' && message.includes(secret))) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}

function buildUrl(transport: RestTransport, request: RestRequest): URL {
  if (typeof request.path !== 'string' || !request.path.startsWith('/') || request.path.startsWith('//')) {
    throw new ConfigError('path', 'must start with a single "/"');
  }
  const url = new URL(transport.baseUrl + request.path);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

/**
 * Sends one request and returns the decoded JSON body. Signed (when `signer` is given) for `METHOD` + the
 * URL path without query; bounded by `requestTimeoutMs` and `maxResponseBytes`; redirects are refused.
 * @throws {AuthError} on HTTP 401/403.
 * @throws {RateLimitedError} on HTTP 429 (with `retryAfterMs` when the server sent `Retry-After`).
 * @throws {RedirectError} on any 3xx (not retryable; the location is in the error, nothing is followed).
 * @throws {ConnectError} on other HTTP errors (retryable for 5xx/408), network errors and timeouts.
 * @throws {ProtocolError} when the body is not JSON (`rest-body`) or is too large (`rest-body-too-large`).
 * @throws `signal.reason` when `signal` aborts.
 * @example
 * const body = await restRequest(transport, { path: '/markets', query: { status: 'open' }, signer, signal });
 */
export async function restRequest(transport: RestTransport, request: RestRequest): Promise<unknown> {
  const { signal } = request;
  signal.throwIfAborted();
  const method = request.method ?? 'GET';
  const url = buildUrl(transport, request);
  // Only method and path in messages: the query holds nothing secret, but it is noise.
  const what = `${method} ${url.pathname}`;
  const limit = request.maxResponseBytes ?? transport.maxResponseBytes;
  const controller = new AbortController();
  let timedOut = false;
  let secrets: readonly string[] = [];
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = transport.clock.setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('request timeout'));
  }, transport.requestTimeoutMs);
  try {
    const auth: Record<string, string> =
      request.signer === undefined ? {} : { ...(await request.signer.headers(method, url.pathname, controller.signal)) };
    secrets = Object.values(auth);
    const response = await transport.fetch(url, {
      method,
      headers: { ...auth, accept: 'application/json' },
      redirect: 'manual',
      signal: controller.signal,
    });
    if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
      await response.body?.cancel().catch(() => undefined);
      throw redirected(response, what);
    }
    if (!response.ok) {
      // Release the connection; the body of an error reply is not needed.
      await response.body?.cancel().catch(() => undefined);
      throw classifyStatus(response, what, transport.clock.now());
    }
    const text = await readLimited(response, limit, what);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ProtocolError('rest-body', `${what} returned a body that is not JSON`);
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (timedOut) {
      throw new ConnectError(`${what} timed out after ${transport.requestTimeoutMs} ms`, { cause: error });
    }
    if (isKalshiWsPoolError(error)) throw error;
    // undici quotes an invalid header value in its message: such a cause is dropped, never shown.
    const cause = mentionsAny(error, secrets) ? undefined : error;
    throw new ConnectError(`${what} failed: network error`, cause === undefined ? {} : { cause });
  } finally {
    transport.clock.clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
