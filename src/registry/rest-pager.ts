import { ConnectError, ProtocolError, RateLimitedError } from '../errors';
import { abortableWait } from '../internal/backoff';
import type { Logger } from '../ports/logger';
import type { KalshiSigner } from '../protocol/kalshi/auth-headers';
import type { RestTransport } from './rest-request';
import { restRequest } from './rest-request';
import type { RestMarket } from './rest-registry-options';

/**
 * How long one request keeps retrying.
 * - `bounded`: at most `attempts` tries (the first load and `refresh()`), then the last error.
 * - `background`: until a retry that waited `maxDelayMs` fails (a reconcile pass), then the last error.
 */
export type RetryPolicy = { readonly kind: 'bounded'; readonly attempts: number } | { readonly kind: 'background' };

/** What paging needs beyond a single request. */
export interface PagerContext extends RestTransport {
  readonly signer: KalshiSigner;
  readonly pageSize: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly logger: Logger;
}

// A runaway cursor (server bug) must not page forever: 10,000 pages of 1000 is ten times the whole exchange.
const maxPages = 10_000;

function isRetryable(error: unknown): boolean {
  return error instanceof ConnectError ? error.retryable : error instanceof ProtocolError;
}

/** Waits `ms` on the context clock; rejects with `signal.reason` when `signal` aborts. */
export function sleep(context: Pick<RestTransport, 'clock'>, ms: number, signal: AbortSignal): Promise<void> {
  return abortableWait(context.clock, ms, signal);
}

/** Runs `attempt` until it succeeds, fails for good, or the policy runs out; retries with capped, jittered backoff. */
async function withRetry<T>(
  context: PagerContext,
  policy: RetryPolicy,
  signal: AbortSignal,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (signal.aborted || !isRetryable(error)) throw error;
      if (policy.kind === 'bounded' && tries >= policy.attempts) throw error;
      // A background pass gives up once the previous retry already waited the cap; the next pass comes anyway.
      if (policy.kind === 'background' && tries > 1 && context.initialDelayMs * 2 ** (tries - 2) >= context.maxDelayMs) {
        throw error;
      }
      const retryAfterMs = error instanceof RateLimitedError ? error.retryAfterMs : undefined;
      // A background pass that is told to wait longer than the cap gives up: the next pass will come anyway.
      if (policy.kind === 'background' && retryAfterMs !== undefined && retryAfterMs > context.maxDelayMs) throw error;
      // Honour Retry-After (capped, so a bounded load cannot hang for an hour); jitter our own backoff
      // (down to 80%) so many clients do not retry in step.
      const backoff = Math.min(context.initialDelayMs * 2 ** (tries - 1), context.maxDelayMs);
      const delayMs =
        retryAfterMs === undefined ? Math.round(backoff * (1 - 0.2 * Math.random())) : Math.min(retryAfterMs, context.maxDelayMs);
      const status = error instanceof ConnectError ? error.status : undefined;
      context.logger.warn(
        { status, attempt: tries, delayMs, error: error instanceof Error ? error.message : String(error) },
        'kalshi rest registry: request failed, retrying',
      );
      await sleep(context, delayMs, signal);
    }
  }
}

/** One decoded page: raw market entries and the next cursor (`''` on the last page). */
interface MarketsPage {
  readonly markets: readonly unknown[];
  readonly cursor: string;
}

function decodePage(body: unknown): MarketsPage {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { markets?: unknown }).markets)) {
    throw new ProtocolError('rest-body', 'GET /markets returned a body without a markets array');
  }
  const { markets, cursor } = body as { markets: unknown[]; cursor?: unknown };
  return { markets, cursor: typeof cursor === 'string' ? cursor : '' };
}

/**
 * Pages through `GET {baseUrl}/markets?status=open&limit={pageSize}&cursor=…` until the cursor is empty,
 * calling `onMarket` for every entry with a string `ticker`. Each page is retried on its own per `policy`.
 * @throws the last request error once retries run out (AuthError at once), or `signal.reason` on abort.
 */
export async function fetchOpenMarkets(
  context: PagerContext,
  policy: RetryPolicy,
  signal: AbortSignal,
  onMarket: (market: RestMarket) => void,
): Promise<void> {
  let cursor = '';
  for (let page = 0; page < maxPages; page += 1) {
    const query = { status: 'open', limit: context.pageSize, cursor: cursor === '' ? undefined : cursor };
    const result = await withRetry(context, policy, signal, async () =>
      decodePage(await restRequest(context, { path: '/markets', query, signer: context.signer, signal })),
    );
    for (const entry of result.markets) {
      if (typeof entry === 'object' && entry !== null && typeof (entry as { ticker?: unknown }).ticker === 'string') {
        onMarket(entry as RestMarket);
      }
    }
    if (result.cursor === '') return;
    if (result.cursor === cursor) throw new ProtocolError('rest-paging', 'GET /markets returned the same cursor twice');
    cursor = result.cursor;
  }
  throw new ProtocolError('rest-paging', `GET /markets did not end after ${maxPages} pages`);
}
