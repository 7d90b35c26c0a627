import type { KalshiAuthHeaders, KalshiSigner, Logger, RawMessage } from 'kalshi-ws-pool';
import { recordingLogger as recordLines } from '../../helpers/logger';
import type { LogLine } from '../../helpers/logger';

/** A recognisable fake key id: tests assert it never shows up in logs or errors. */
export const FAKE_KEY_ID = 'FAKE-KEY-ID-9d1e7c55-secret';

/** A scripted reply; when the script is empty the fake serves the current market list, paged. */
export type ScriptedReply =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  | 'hang'
  | Error;

/** One market as the fake serves it. */
export interface FakeMarket {
  readonly ticker: string;
  readonly event_ticker?: string;
  readonly status?: string;
  readonly [key: string]: unknown;
}

/** An in-memory `GET /markets` endpoint behind an injected fetch. */
export function fakeKalshiRest(initial: readonly (string | FakeMarket)[] = []) {
  const state = {
    markets: initial.map(toMarket),
    script: [] as ScriptedReply[],
    requests: [] as { url: URL; headers: Record<string, string> }[],
    signedPaths: [] as string[],
    aborted: 0,
  };

  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    state.requests.push({ url, headers: { ...(init?.headers as Record<string, string>) } });
    const signal = init?.signal ?? undefined;
    signal?.throwIfAborted();
    const reply = state.script.shift();
    if (reply === 'hang') {
      return new Promise<Response>((_resolve, reject) => {
        signal?.addEventListener(
          'abort',
          () => {
            state.aborted += 1;
            reject(signal.reason);
          },
          { once: true },
        );
      });
    }
    if (reply instanceof Error) throw reply;
    if (reply !== undefined) {
      return new Response(JSON.stringify(reply.body ?? { error: 'scripted' }), {
        status: reply.status,
        headers: reply.headers ?? {},
      });
    }
    const limit = Number(url.searchParams.get('limit') ?? '100');
    const start = Number(url.searchParams.get('cursor') ?? '0');
    const page = state.markets.slice(start, start + limit);
    const cursor = start + limit < state.markets.length ? String(start + limit) : '';
    return new Response(JSON.stringify({ markets: page, cursor }), { status: 200 });
  }) as typeof fetch;

  const signer: KalshiSigner = {
    headers(method: string, path: string): Promise<KalshiAuthHeaders> {
      state.signedPaths.push(`${method} ${path}`);
      return Promise.resolve({
        'KALSHI-ACCESS-KEY': FAKE_KEY_ID,
        'KALSHI-ACCESS-TIMESTAMP': '1700000000000',
        'KALSHI-ACCESS-SIGNATURE': 'c2lnbmF0dXJl',
      });
    },
  };

  return { state, fetch: fakeFetch, signer };
}

function toMarket(market: string | FakeMarket): FakeMarket {
  if (typeof market !== 'string') return market;
  const dash = market.lastIndexOf('-');
  return { ticker: market, event_ticker: dash === -1 ? market : market.slice(0, dash), status: 'active' };
}

/** `count` tickers like `KXTEST-EV{n/10}-M{n}`. */
export function tickers(count: number, prefix = 'KXTEST'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-EV${Math.floor(i / 10)}-M${i}`);
}

/** A logger that records every line, and its lines. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const logger = recordLines();
  return { logger, lines: logger.lines };
}

/** A lifecycle frame as the pool would deliver it. */
export function lifecycleFrame(eventType: string, ticker: string, extra: Record<string, unknown> = {}): RawMessage {
  const frame = { type: 'market_lifecycle_v2', sid: 5, seq: 1, msg: { market_ticker: ticker, event_type: eventType, ...extra } };
  return {
    data: new TextEncoder().encode(JSON.stringify(frame)),
    connectionId: 5,
    receivedAt: Date.now(),
    type: 'market_lifecycle_v2',
    sid: 5,
    seq: 1,
    seqGap: false,
    gapSize: 0,
  };
}
