import { inspect } from 'node:util';
import { ConfigError, ConnectError, RedirectError, systemClock } from 'kalshi-ws-pool';
import { describe, expect, it } from 'vitest';
import type { RestTransport } from '../../../src/registry/rest-request';
import { DEFAULT_MAX_RESPONSE_BYTES, resolveRestBaseUrl, restRequest } from '../../../src/registry/rest-request';
import { FAKE_KEY_ID, fakeKalshiRest } from './fake-kalshi-rest';

function transport(fetchImpl: typeof fetch): RestTransport {
  return {
    baseUrl: 'https://kalshi.test/trade-api/v2',
    fetch: fetchImpl,
    clock: systemClock,
    requestTimeoutMs: 1_000,
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  };
}

describe('restRequest: the one REST transport (#19)', () => {
  it('builds the URL from path and query, signs the full path, asks fetch not to follow redirects', async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const fetchImpl = ((url: URL, init?: RequestInit) => {
      seen.push({ url: String(url), init });
      return Promise.resolve(new Response('{"ok":true}', { status: 200 }));
    }) as unknown as typeof fetch;
    const rest = fakeKalshiRest();
    const body = await restRequest(transport(fetchImpl), {
      path: '/markets/KX-1/orderbook',
      query: { depth: 5, cursor: undefined },
      signer: rest.signer,
      signal: new AbortController().signal,
    });
    expect(body).toEqual({ ok: true });
    expect(seen[0]!.url).toBe('https://kalshi.test/trade-api/v2/markets/KX-1/orderbook?depth=5');
    expect(seen[0]!.init!.redirect).toBe('manual');
    expect(rest.state.signedPaths).toEqual(['GET /trade-api/v2/markets/KX-1/orderbook']);
  });

  it('without a signer sends no KALSHI-ACCESS-* header', async () => {
    let headers: Record<string, string> = {};
    const fetchImpl = ((_url: URL, init?: RequestInit) => {
      headers = init!.headers as Record<string, string>;
      return Promise.resolve(new Response('[]', { status: 200 }));
    }) as unknown as typeof fetch;
    await restRequest(transport(fetchImpl), { path: '/exchange/status', signal: new AbortController().signal });
    expect(Object.keys(headers).filter((h) => h.startsWith('KALSHI'))).toEqual([]);
  });

  it('an opaque redirect (spec fetch with redirect: manual) is a RedirectError too', async () => {
    const opaque = { type: 'opaqueredirect', status: 0, ok: false, headers: new Headers(), body: null } as unknown as Response;
    const error = await restRequest(transport(() => Promise.resolve(opaque)), { path: '/markets', signal: new AbortController().signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RedirectError);
    expect((error as RedirectError).location).toBe('');
  });

  it('rejects paths that could leave the base URL', async () => {
    const ok = () => Promise.resolve(new Response('{}'));
    for (const path of ['markets', '//evil.example/x', '']) {
      await expect(restRequest(transport(ok), { path, signal: new AbortController().signal })).rejects.toBeInstanceOf(ConfigError);
    }
  });

  it('regression: a network error that quotes a header value (undici does) loses its cause', async () => {
    const rest = fakeKalshiRest();
    const fetchImpl = (() => Promise.reject(new TypeError(`invalid header value "${FAKE_KEY_ID}"`))) as unknown as typeof fetch;
    const error = await restRequest(transport(fetchImpl), { path: '/markets', signer: rest.signer, signal: new AbortController().signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(FAKE_KEY_ID);
    // Other network errors keep their cause for debugging.
    const refused = await restRequest(transport((() => Promise.reject(new TypeError('fetch failed'))) as unknown as typeof fetch), {
      path: '/markets',
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect((refused as Error).cause).toBeInstanceOf(TypeError);
  });

  it('resolveRestBaseUrl shares the socket rule: https anywhere, http on loopback or with the opt-in', () => {
    expect(resolveRestBaseUrl('baseUrl', 'https://api.elections.kalshi.com/trade-api/v2/', false)).toBe(
      'https://api.elections.kalshi.com/trade-api/v2',
    );
    expect(resolveRestBaseUrl('baseUrl', 'http://127.0.0.1:8080/trade-api/v2', false)).toBe('http://127.0.0.1:8080/trade-api/v2');
    expect(() => resolveRestBaseUrl('baseUrl', 'http://demo-api.kalshi.co/trade-api/v2', false)).toThrow(ConfigError);
    expect(resolveRestBaseUrl('baseUrl', 'http://demo-api.kalshi.co/trade-api/v2', true)).toBe('http://demo-api.kalshi.co/trade-api/v2');
    expect(() => resolveRestBaseUrl('baseUrl', 'https://x/trade-api/v2?a=1', false)).toThrow(/query/);
  });
});
