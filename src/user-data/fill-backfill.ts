/**
 * Fill continuity across reconnects. Kalshi's private frames carry no seq, so after every (re)connect
 * the account's fills since the last one seen (minus a safety margin) are read from
 * `GET /trade-api/v2/portfolio/fills` (`min_ts` in seconds, cursor paging), signed with that account's
 * key through the one REST helper, and delivered once: fill ids are remembered (bounded, oldest forgotten)
 * against what the socket already delivered.
 * @internal
 */
import { ProtocolError } from '../errors';
import type { KalshiSigner } from '../protocol/kalshi/auth-headers';
import type { Clock } from '../ports/clock';
import type { RestTransport } from '../registry/rest-request';
import { DEFAULT_MAX_RESPONSE_BYTES, restRequest } from '../registry/rest-request';

/** Remembered fill ids of one account, FIFO-bounded, plus the newest fill time seen. @internal */
export class FillMemory {
  readonly #ids = new Set<string>();
  readonly #order: string[] = [];
  #head = 0;
  /** Newest fill time seen, ms since the epoch (0 before any). */
  lastFillAt = 0;

  constructor(private readonly capacity: number) {}

  /** Fill ids held. */
  get size(): number {
    return this.#ids.size;
  }

  /** Records `id`; false when it was already delivered. */
  admit(id: string, at: number): boolean {
    if (at > this.lastFillAt) this.lastFillAt = at;
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    this.#order.push(id);
    if (this.#ids.size > this.capacity) {
      const oldest = this.#order[this.#head++];
      if (oldest !== undefined) this.#ids.delete(oldest);
      // Compact now and then so the array does not grow without bound.
      if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
        this.#order.splice(0, this.#head);
        this.#head = 0;
      }
    }
    return true;
  }
}

/** A fill's id: `fill_id` (REST), else `trade_id` (socket frames and legacy REST). @internal */
export function fillIdOf(fill: Readonly<Record<string, unknown>>): string | undefined {
  const id = fill['fill_id'] ?? fill['trade_id'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** A fill's time in ms: `ts` (unix seconds) or `created_time` (ISO 8601); 0 when absent. @internal */
export function fillTimeOf(fill: Readonly<Record<string, unknown>>): number {
  const ts = fill['ts'];
  if (typeof ts === 'number' && Number.isFinite(ts)) return ts > 1e11 ? ts : ts * 1000;
  const created = fill['created_time'];
  if (typeof created === 'string') {
    const parsed = Date.parse(created);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return 0;
}

/** What one backfill needs. @internal */
export interface BackfillRequest {
  readonly restUrl: string;
  readonly signer: KalshiSigner;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly requestTimeoutMs: number;
  readonly pageSize: number;
  readonly maxPages: number;
  /** Fills at or after this time (ms) are requested; sent as whole seconds. */
  readonly sinceMs: number;
}

/** Result of {@link fetchFills}. @internal */
export interface BackfillPages {
  readonly pages: number;
  readonly fills: number;
}

/**
 * Pages through the account's fills since `sinceMs`, calling `onFill` for each (in page order).
 * @throws {AuthError}, {RateLimitedError}, {ConnectError}, {ProtocolError} from the REST helper or on a bad body.
 * @internal
 */
export async function fetchFills(
  request: BackfillRequest,
  onFill: (fill: Readonly<Record<string, unknown>>) => void,
  signal: AbortSignal,
): Promise<BackfillPages> {
  const transport = transportOf(request);
  let cursor = '';
  let pages = 0;
  let fills = 0;
  do {
    const query = {
      min_ts: Math.max(0, Math.floor(request.sinceMs / 1000)),
      limit: request.pageSize,
      cursor: cursor === '' ? undefined : cursor,
    };
    const body = await restRequest(transport, { path: '/portfolio/fills', query, signer: request.signer, signal });
    pages++;
    const list = typeof body === 'object' && body !== null ? (body as { fills?: unknown }).fills : undefined;
    if (!Array.isArray(list)) throw new ProtocolError('rest-body', 'GET /trade-api/v2/portfolio/fills returned a body without a fills array');
    for (const fill of list) {
      if (typeof fill === 'object' && fill !== null) {
        fills++;
        onFill(fill as Record<string, unknown>);
      }
    }
    const next = (body as { cursor?: unknown }).cursor;
    cursor = typeof next === 'string' ? next : '';
  } while (cursor !== '' && pages < request.maxPages);
  return { pages, fills };
}

/**
 * `GET /trade-api/v2/portfolio/positions` (first page, signed): the body as Kalshi sent it.
 * @throws like {@link fetchFills}.
 * @internal
 */
export async function fetchPositions(request: Omit<BackfillRequest, 'sinceMs' | 'maxPages' | 'pageSize'>, signal: AbortSignal): Promise<unknown> {
  return restRequest(transportOf(request), { path: '/portfolio/positions', signer: request.signer, signal });
}

/** The REST helper's transport for one account's requests (redirects refused, body capped). */
function transportOf(request: Pick<BackfillRequest, 'restUrl' | 'fetch' | 'clock' | 'requestTimeoutMs'>): RestTransport {
  return {
    baseUrl: request.restUrl,
    fetch: request.fetch,
    clock: request.clock,
    requestTimeoutMs: request.requestTimeoutMs,
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  };
}
