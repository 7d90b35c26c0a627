/**
 * Turns the per-connection failures of `start()` into one readable line: failures grouped by kind, most
 * frequent first, each with a hint at the likely mistake, then a pointer to docs/troubleshooting.md.
 * Only facts the package itself produced go in (HTTP status, a system error code, address and port,
 * the host name): never headers, key material or raw server text.
 * @internal
 */
import { AuthError, ClosedError, ConfigError, ConnectError, isKalshiWsPoolError } from '../errors';
import type { SlotFailure } from '../errors';
import { printableText } from '../internal/printable-text';
import type { Logger } from '../ports/logger';

/** Where every hint points. */
export const TROUBLESHOOTING_DOC = 'docs/troubleshooting.md';

/** Kinds listed before the rest are only counted. */
const MAX_KINDS = 4;

/** The documented WebSocket path (docs/protocol.md). */
const KALSHI_WS_PATH = '/trade-api/ws/v2';

/** One kind of failure: what it is (`label`) and what to check (`hint`). */
export interface FailureKind {
  readonly label: string;
  readonly hint: string;
}

/** The system error (`code` like `ECONNREFUSED`) somewhere in the cause chain, if any. */
interface SystemError {
  readonly code: string;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly hostname?: unknown;
}

function systemErrorOf(error: unknown): SystemError | undefined {
  let current: unknown = error;
  // A few levels are enough: ConnectError -> ws/net error (-> AggregateError member).
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return current as SystemError;
    const errors = (current as { errors?: unknown }).errors;
    const next = Array.isArray(errors) && errors.length > 0 ? errors[0] : (current as { cause?: unknown }).cause;
    current = next;
  }
  return undefined;
}

function urlParts(url: string | undefined): { host: string; path: string } | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return { host: parsed.host, path: parsed.pathname };
  } catch {
    return undefined;
  }
}

function statusKind(status: number, url: string | undefined): FailureKind {
  const label = `HTTP ${status}`;
  if (status === 401) {
    return { label, hint: 'the key id or private key was rejected (or the clock is off, or they belong to the other environment)' };
  }
  if (status === 403) return { label, hint: 'the key may not use this endpoint (wrong environment or missing permission)' };
  if (status === 404) {
    const path = urlParts(url)?.path;
    const at = path === undefined || path === KALSHI_WS_PATH ? '' : ` ${printableText(path, 100)} was not found;`;
    return { label, hint: `${at} is the path ${KALSHI_WS_PATH}?`.trimStart() };
  }
  if (status === 429) {
    return { label, hint: 'rate limited at the handshake: too many connections or dials for this key (lower the layout or admission.dialsPerSecond)' };
  }
  if (status >= 500) return { label, hint: 'the server failed the handshake; it is retried' };
  return { label, hint: 'the server refused the WebSocket handshake (is the url a Kalshi WebSocket endpoint?)' };
}

function systemKind(system: SystemError, url: string | undefined): FailureKind {
  const { code } = system;
  const fallbackHost = urlParts(url)?.host;
  if (code === 'ECONNREFUSED') {
    const where =
      typeof system.address === 'string' && typeof system.port === 'number' ? `${system.address}:${system.port}` : fallbackHost;
    return { label: where === undefined ? code : `${code} ${where}`, hint: 'nothing is listening there (check the url and that the server runs)' };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const host = typeof system.hostname === 'string' ? system.hostname : fallbackHost;
    return { label: host === undefined ? code : `${code} ${printableText(host, 100)}`, hint: 'the host name does not resolve (check the url and DNS)' };
  }
  if (code === 'ETIMEDOUT') {
    return { label: code, hint: 'no handshake within client.dialTimeoutMs (check the url, a firewall or proxy)' };
  }
  if (code === 'ECONNRESET') return { label: code, hint: 'the connection was reset during the handshake (a proxy, TLS or the server)' };
  return { label: code, hint: 'the network refused the connection (check the url)' };
}

/**
 * Classifies one start failure.
 * @example
 * failureKind(new AuthError('…', { status: 401 }), url) // { label: 'HTTP 401', hint: 'the key id or private key was rejected …' }
 */
export function failureKind(error: Error, url: string | undefined): FailureKind {
  if (error instanceof ConnectError && error.status !== undefined) return statusKind(error.status, url);
  const system = systemErrorOf(error);
  if (system !== undefined) return systemKind(system, url);
  if (error instanceof AuthError) return { label: 'signing failed', hint: 'the private key could not sign the handshake (is it an RSA private key in PEM form?)' };
  if (error instanceof ConfigError) return { label: error.code, hint: printableText(error.message) };
  if (error instanceof ClosedError) return { label: 'closed', hint: 'stopped before it connected' };
  // Anything else: its code and its own message without the connection id, so equal failures group.
  const label = isKalshiWsPoolError(error) ? error.code : error.name;
  return { label, hint: printableText(error.message.replace(/ on connection \d+/g, '')) };
}

/**
 * One line summarising `failures` by kind, e.g.
 * `4 × HTTP 401: the key id or private key was rejected (…) (see docs/troubleshooting.md)`.
 * Returns `''` when there are none.
 * @param url - the pool's url, for hints that name the path or host (absent with a `clientFactory`).
 */
export function summariseStartFailures(failures: readonly SlotFailure[], url: string | undefined): string {
  if (failures.length === 0) return '';
  const groups = new Map<string, { kind: FailureKind; count: number }>();
  for (const failure of failures) {
    const kind = failureKind(failure.error, url);
    const key = `${kind.label}\u0000${kind.hint}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { kind, count: 1 });
    else group.count += 1;
  }
  // Stable sort: equal counts keep the order in which the kinds first failed.
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count);
  const parts = sorted.slice(0, MAX_KINDS).map(({ kind, count }) => `${count} × ${kind.label}: ${kind.hint}`);
  const rest = sorted.slice(MAX_KINDS).reduce((sum, group) => sum + group.count, 0);
  if (rest > 0) parts.push(`${rest} more of other kinds`);
  return `${parts.join('; ')} (see ${TROUBLESHOOTING_DOC})`;
}

/**
 * Logs one warning per connection that failed during `start()`, with its connection id and the kind of
 * failure (the rate-limited logger folds equal kinds and keeps the ids of the folded lines).
 */
export function warnStartFailures(
  logger: Logger,
  failures: readonly SlotFailure[],
  url: string | undefined,
  roleOf: (connectionId: number) => string,
): void {
  for (const { connectionId, error } of failures) {
    const kind = failureKind(error, url);
    const status = error instanceof ConnectError ? error.status : undefined;
    logger.warn(
      { connectionId, role: roleOf(connectionId), status, kind: kind.label, err: error },
      `connection failed during start (${kind.label}: ${kind.hint})`,
    );
  }
}
