import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuthError,
  ConfigError,
  ConnectError,
  KALSHI_REST_URLS,
  createKalshiRestRegistry,
  isKalshiWsPoolError,
  restRegistryDefaults,
} from 'kalshi-ws-pool';
import type { KalshiRestRegistryOptions, MarketChange } from 'kalshi-ws-pool';
import { parseRetryAfter } from '../../../src/registry/rest-request';
import { FAKE_KEY_ID, fakeKalshiRest, lifecycleFrame, recordingLogger, tickers } from './fake-kalshi-rest';

const BASE = 'https://kalshi.test/trade-api/v2';

function setup(initial: readonly string[], options: Partial<KalshiRestRegistryOptions> = {}) {
  const rest = fakeKalshiRest(initial);
  const { logger, lines } = recordingLogger();
  const registry = createKalshiRestRegistry({
    baseUrl: BASE,
    signer: rest.signer,
    fetch: rest.fetch,
    logger,
    ...options,
  });
  const batches: MarketChange[][] = [];
  registry.onChange((changes) => batches.push([...changes]));
  return { rest, registry, lines, batches };
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('createKalshiRestRegistry options', () => {
  it('exports frozen defaults and the Kalshi REST bases', () => {
    expect(Object.isFrozen(restRegistryDefaults)).toBe(true);
    expect(restRegistryDefaults).toMatchObject({ reconcileIntervalMs: 300_000, pageSize: 1000, requestTimeoutMs: 15_000 });
    expect(KALSHI_REST_URLS.production).toBe('https://api.elections.kalshi.com/trade-api/v2');
    expect(KALSHI_REST_URLS.demo).toBe('https://demo-api.kalshi.co/trade-api/v2');
  });

  it.each([
    [{ baseUrl: 'not a url' }, 'baseUrl'],
    [{ baseUrl: 'ftp://x/trade-api/v2' }, 'baseUrl'],
    [{ signer: {} }, 'signer'],
    [{ pageSize: 0 }, 'pageSize'],
    [{ pageSize: 1001 }, 'pageSize'],
    [{ pageSize: 1.5 }, 'pageSize'],
    [{ reconcileIntervalMs: -1 }, 'reconcileIntervalMs'],
    [{ requestTimeoutMs: Number.NaN }, 'requestTimeoutMs'],
    [{ retry: { initialDelayMs: 0 } }, 'retry.initialDelayMs'],
    [{ retry: { initialDelayMs: 5000, maxDelayMs: 1000 } }, 'retry.maxDelayMs'],
    [{ filter: { seriesPrefixes: ['KX', ''] } }, 'filter.seriesPrefixes[1]'],
    [{ filter: { predicate: 'yes' } }, 'filter.predicate'],
  ])('rejects %j naming %s', (bad, option) => {
    const rest = fakeKalshiRest();
    const create = (): unknown =>
      createKalshiRestRegistry({ baseUrl: BASE, signer: rest.signer, fetch: rest.fetch, ...bad } as KalshiRestRegistryOptions);
    expect(create).toThrow(ConfigError);
    try {
      create();
    } catch (error) {
      expect((error as ConfigError).option).toBe(option);
    }
  });
});

describe('createKalshiRestRegistry paging', () => {
  it('pages with cursor until it is empty, signing the path without the query', async () => {
    const all = tickers(2500);
    const { rest, registry } = setup(all, { baseUrl: `${BASE}/` });
    expect(sorted(await registry.markets())).toEqual(sorted(all));
    expect(rest.state.requests.map((r) => r.url.search)).toEqual([
      '?status=open&limit=1000',
      '?status=open&limit=1000&cursor=1000',
      '?status=open&limit=1000&cursor=2000',
    ]);
    expect(rest.state.requests.every((r) => r.url.pathname === '/trade-api/v2/markets')).toBe(true);
    expect(rest.state.signedPaths).toEqual(Array(3).fill('GET /trade-api/v2/markets'));
    expect(rest.state.requests[0]!.headers['KALSHI-ACCESS-KEY']).toBe(FAKE_KEY_ID);
    // Later calls read the loaded set without another request.
    await registry.markets();
    expect(rest.state.requests).toHaveLength(3);
    await registry.stop();
  });

  it('shares one load between concurrent callers', async () => {
    const { rest, registry } = setup(tickers(5), { pageSize: 2 });
    const [a, b] = await Promise.all([registry.markets(), registry.start()]);
    expect(a).toHaveLength(5);
    expect(b).toBeUndefined();
    expect(rest.state.requests).toHaveLength(3);
    await registry.stop();
  });

  it('applies series and event prefixes, then the predicate', async () => {
    const markets = ['KXBTCD-26NOV23-T1', 'KXBTCD-26NOV24-T1', 'KXETH-26NOV23-T1', 'KXRAIN-26NOV23-T1', 'KXRAIN-26NOV23-T2'];
    const { registry } = setup(markets, {
      filter: {
        seriesPrefixes: ['KXBTC'],
        eventPrefixes: ['KXRAIN-26NOV23'],
        predicate: (market) => market.ticker !== 'KXRAIN-26NOV23-T2',
      },
    });
    expect(sorted(await registry.markets())).toEqual(['KXBTCD-26NOV23-T1', 'KXBTCD-26NOV24-T1', 'KXRAIN-26NOV23-T1']);
    await registry.stop();
  });
});

describe('createKalshiRestRegistry reconciliation', () => {
  it('emits appeared and disappeared markets in one batch every interval', async () => {
    const { rest, registry, batches } = setup(['A-1-X', 'B-1-X', 'C-1-X'], { reconcileIntervalMs: 60_000 });
    await registry.start();
    expect(batches).toEqual([]);
    rest.state.markets = rest.state.markets.filter((m) => m.ticker !== 'B-1-X').concat({ ticker: 'D-1-X' });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([
      [
        { kind: 'removed', ticker: 'B-1-X' },
        { kind: 'added', ticker: 'D-1-X' },
      ],
    ]);
    expect(sorted(await registry.markets())).toEqual(['A-1-X', 'C-1-X', 'D-1-X']);
    // An unchanged pass emits nothing.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(batches).toHaveLength(1);
    expect(rest.state.requests).toHaveLength(3);
    await registry.stop();
  });

  it('refresh() reconciles now and returns the changes', async () => {
    const { rest, registry, batches } = setup(['A-1-X']);
    await registry.start();
    rest.state.markets.push({ ticker: 'B-1-X' });
    await expect(registry.refresh()).resolves.toEqual([{ kind: 'added', ticker: 'B-1-X' }]);
    expect(batches).toEqual([[{ kind: 'added', ticker: 'B-1-X' }]]);
    await registry.stop();
  });

  it('waits Retry-After on 429, then succeeds', async () => {
    const { rest, registry } = setup(['A-1-X']);
    rest.state.script.push({ status: 429, headers: { 'retry-after': '3' } });
    const markets = registry.markets();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(rest.state.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await markets).toEqual(['A-1-X']);
    expect(rest.state.requests).toHaveLength(2);
    await registry.stop();
  });

  it('retries 5xx with backoff, gives up the pass and keeps the last good set', async () => {
    const { rest, registry, batches, lines } = setup(['A-1-X', 'B-1-X'], {
      reconcileIntervalMs: 600_000,
      retry: { initialDelayMs: 1000, maxDelayMs: 8000 },
    });
    await registry.start();
    rest.state.markets = [];
    for (let i = 0; i < 10; i += 1) rest.state.script.push({ status: 503 });
    await vi.advanceTimersByTimeAsync(600_000);
    // Backoff 1, 2, 4, 8 s (jittered down to 80%), then one more failure at the cap ends the pass.
    await vi.advanceTimersByTimeAsync(15_000);
    expect(rest.state.requests).toHaveLength(1 + 5);
    expect(lines.filter((l) => l.message.includes('retrying')).map((l) => l.fields.status)).toEqual([503, 503, 503, 503]);
    expect(lines.some((l) => l.level === 'warn' && l.message.includes('keeping the last good set'))).toBe(true);
    expect(sorted(await registry.markets())).toEqual(['A-1-X', 'B-1-X']);
    expect(batches).toEqual([]);
    // The next pass works again.
    rest.state.script.length = 0;
    await vi.advanceTimersByTimeAsync(600_000);
    expect(batches).toEqual([
      [
        { kind: 'removed', ticker: 'A-1-X' },
        { kind: 'removed', ticker: 'B-1-X' },
      ],
    ]);
    await registry.stop();
  });

  it('rejects the first load with AuthError on 401 without retrying', async () => {
    const { rest, registry } = setup(['A-1-X']);
    rest.state.script.push({ status: 401 });
    const error = await registry.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(isKalshiWsPoolError(error, 'KWP_AUTH')).toBe(true);
    expect((error as AuthError).status).toBe(401);
    expect(rest.state.requests).toHaveLength(1);
    // A later call tries again.
    expect(await registry.markets()).toEqual(['A-1-X']);
    await registry.stop();
  });

  it('rejects the first load with ConnectError after 5 failed attempts', async () => {
    const { rest, registry } = setup(['A-1-X']);
    for (let i = 0; i < 5; i += 1) rest.state.script.push(i % 2 === 0 ? { status: 500 } : new TypeError('fetch failed'));
    const result = registry.markets().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000 + 8000);
    const error = await result;
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).not.toBeInstanceOf(AuthError);
    expect(rest.state.requests).toHaveLength(5);
    await registry.stop();
  });

  it('times out a hanging request and retries it', async () => {
    const { rest, registry } = setup(['A-1-X'], { requestTimeoutMs: 5000 });
    rest.state.script.push('hang');
    const markets = registry.markets();
    await vi.advanceTimersByTimeAsync(5000 + 1000);
    expect(await markets).toEqual(['A-1-X']);
    expect(rest.state.aborted).toBe(1);
    await registry.stop();
  });

  it('logs a background 401 once per streak and never throws', async () => {
    const { rest, registry, lines } = setup(['A-1-X'], { reconcileIntervalMs: 1000 });
    await registry.start();
    for (let i = 0; i < 3; i += 1) rest.state.script.push({ status: 401 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(rest.state.requests).toHaveLength(4);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(lines.find((l) => l.level === 'error')!.fields).toMatchObject({ status: 401 });
    expect(await registry.markets()).toEqual(['A-1-X']);
    // Recovery ends the streak; the next rejection is logged again.
    await vi.advanceTimersByTimeAsync(1000);
    rest.state.script.push({ status: 403 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(2);
    await registry.stop();
  });
});

describe('createKalshiRestRegistry edge cases', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter('0.5', 0)).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(new Date(0).toUTCString(), 4000)).toBe(0);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('does not retry a 404 (wrong baseUrl)', async () => {
    const { rest, registry } = setup(['A-1-X']);
    rest.state.script.push({ status: 404 });
    await expect(registry.markets()).rejects.toMatchObject({ code: 'KWP_CONNECT', status: 404, retryable: false });
    expect(rest.state.requests).toHaveLength(1);
    await registry.stop();
  });

  it('gives up a background pass told to wait longer than maxDelayMs', async () => {
    const { rest, registry, lines } = setup(['A-1-X'], { reconcileIntervalMs: 1000, retry: { maxDelayMs: 5000 } });
    await registry.start();
    rest.state.script.push({ status: 429, headers: { 'retry-after': '3600' } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(rest.state.requests).toHaveLength(2);
    expect(lines.filter((l) => l.message.includes('reconcile failed'))).toHaveLength(1);
    // The next pass runs on the interval as usual.
    await vi.advanceTimersByTimeAsync(1000);
    expect(rest.state.requests).toHaveLength(3);
    await registry.stop();
  });

  it('rejects a body without a markets array after retries', async () => {
    const { rest, registry } = setup(['A-1-X']);
    for (let i = 0; i < 5; i += 1) rest.state.script.push({ status: 200, body: { nope: true } });
    const result = registry.markets().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(await result).toMatchObject({ code: 'KWP_PROTOCOL', reason: 'rest-body' });
    await registry.stop();
  });

  it('keeps other listeners going when one throws', async () => {
    const { registry, batches, lines } = setup(['A-1-X']);
    registry.onChange(() => {
      throw new Error('listener bug');
    });
    const later: MarketChange[][] = [];
    registry.onChange((changes) => later.push([...changes]));
    const removed: MarketChange[][] = [];
    const off = registry.onChange((changes) => removed.push([...changes]));
    off();
    await registry.start();
    registry.onLifecycle(lifecycleFrame('created', 'B-1-X'));
    expect(batches).toHaveLength(1);
    expect(later).toEqual(batches);
    expect(removed).toEqual([]);
    expect(lines.some((l) => l.level === 'error' && l.fields.error === 'listener bug')).toBe(true);
    await registry.stop();
  });
});

describe('createKalshiRestRegistry lifecycle', () => {
  it('adds on created/activated and removes on deactivated/determined/settled, at once', async () => {
    const { registry, batches } = setup(['KXA-1-X'], { filter: { seriesPrefixes: ['KXA'] } });
    await registry.start();
    registry.onLifecycle(lifecycleFrame('created', 'KXA-2-X'));
    registry.onLifecycle(lifecycleFrame('created', 'KXB-2-X')); // filtered out by prefix
    registry.onLifecycle(lifecycleFrame('activated', 'KXA-2-X')); // already there: no change
    registry.onLifecycle(lifecycleFrame('close_date_updated', 'KXA-1-X')); // not a set change
    registry.onLifecycle(lifecycleFrame('settled', 'KXA-1-X'));
    registry.onLifecycle(lifecycleFrame('determined', 'KXA-9-X')); // unknown: no change
    expect(batches).toEqual([[{ kind: 'added', ticker: 'KXA-2-X' }], [{ kind: 'removed', ticker: 'KXA-1-X' }]]);
    expect(sorted(await registry.markets())).toEqual(['KXA-2-X']);
    registry.onLifecycle(lifecycleFrame('deactivated', 'KXA-2-X'));
    expect(registry.size).toBe(0);
    await registry.stop();
  });

  it('uses event_ticker from the frame and the predicate for markets seen on REST', async () => {
    const { rest, registry, batches } = setup([], {
      filter: { eventPrefixes: ['EVT-1'], predicate: (m) => m.status !== 'closed' },
    });
    rest.state.markets = [{ ticker: 'M-OLD', event_ticker: 'EVT-1', status: 'closed' }];
    await registry.start();
    expect(registry.size).toBe(0);
    registry.onLifecycle(lifecycleFrame('activated', 'M-OLD')); // the predicate still rejects the known object
    registry.onLifecycle(lifecycleFrame('created', 'M-NEW', { additional_metadata: { event_ticker: 'EVT-1' } }));
    registry.onLifecycle(lifecycleFrame('created', 'M-OTHER', { additional_metadata: { event_ticker: 'EVT-2' } }));
    expect(batches).toEqual([[{ kind: 'added', ticker: 'M-NEW' }]]);
    await registry.stop();
  });

  it('lets a lifecycle frame received during a pass win over the older REST snapshot', async () => {
    const { rest, registry, batches } = setup(['A-1-X'], { reconcileIntervalMs: 1000 });
    await registry.start();
    rest.state.script.push('hang');
    await vi.advanceTimersByTimeAsync(1000);
    registry.onLifecycle(lifecycleFrame('created', 'NEW-1-X'));
    // The hung request times out and the retry returns a snapshot without NEW-1-X.
    await vi.advanceTimersByTimeAsync(restRegistryDefaults.requestTimeoutMs + 1000);
    expect(batches).toEqual([[{ kind: 'added', ticker: 'NEW-1-X' }]]);
    expect(sorted(await registry.markets())).toEqual(['A-1-X', 'NEW-1-X']);
    await registry.stop();
  });

  it('keeps lifecycle decisions made before the first load', async () => {
    const { registry, batches } = setup(['A-1-X', 'B-1-X']);
    registry.onLifecycle(lifecycleFrame('created', 'C-1-X'));
    registry.onLifecycle(lifecycleFrame('settled', 'B-1-X'));
    expect(batches).toEqual([[{ kind: 'added', ticker: 'C-1-X' }]]);
    expect(sorted(await registry.markets())).toEqual(['A-1-X', 'C-1-X']);
    await registry.stop();
  });

  it('ignores malformed frames and other types', async () => {
    const { registry, batches } = setup(['A-1-X']);
    await registry.start();
    const bad = { ...lifecycleFrame('created', 'X'), data: new TextEncoder().encode('{not json') };
    registry.onLifecycle(bad);
    registry.onLifecycle({ ...lifecycleFrame('created', 'Y'), type: 'event_lifecycle' });
    expect(batches).toEqual([]);
    await registry.stop();
  });
});

describe('createKalshiRestRegistry ticker checks (#19)', () => {
  it('drops a lifecycle created frame whose ticker is too long or not printable, with a folded warning', async () => {
    const { registry, batches, lines } = setup(['A-1-X']);
    await registry.start();
    registry.onLifecycle(lifecycleFrame('created', 'K'.repeat(100_000)));
    registry.onLifecycle(lifecycleFrame('created', 'KX\nFORGED log line'));
    registry.onLifecycle(lifecycleFrame('created', 'KX-OK-1'));
    expect(batches).toEqual([[{ kind: 'added', ticker: 'KX-OK-1' }]]);
    expect(sorted(await registry.markets())).toEqual(['A-1-X', 'KX-OK-1']);
    const warnings = lines.filter((l) => l.level === 'warn' && l.fields['droppedTickers'] !== undefined);
    // The 1st drop is logged; the 2nd folds into the running total (next line at the 10th).
    expect(warnings.map((w) => w.fields['droppedTickers'])).toEqual([1]);
    expect(JSON.stringify(warnings)).not.toContain('FORGED log line\n');
    await registry.stop();
  });

  it('drops invalid tickers from the REST listing', async () => {
    const { registry, lines } = setup(['A-1-X', 'B 1 X', 'C'.repeat(129), 'D-1-X']);
    expect(sorted(await registry.markets())).toEqual(['A-1-X', 'D-1-X']);
    const warnings = lines.filter((l) => l.level === 'warn' && l.fields['droppedTickers'] !== undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields['source']).toContain('GET /markets');
    await registry.stop();
  });
});

describe('createKalshiRestRegistry stop', () => {
  it('clears every timer: idle, mid-backoff and mid-request', async () => {
    const idle = setup(['A-1-X']);
    await idle.registry.start();
    expect(vi.getTimerCount()).toBe(1);
    await idle.registry.stop();
    expect(vi.getTimerCount()).toBe(0);

    const backoff = setup(['A-1-X']);
    backoff.rest.state.script.push({ status: 503 });
    const pending = backoff.registry.markets().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(1);
    await backoff.registry.stop();
    expect(isKalshiWsPoolError(await pending, 'KWP_CLOSED')).toBe(true);
    expect(vi.getTimerCount()).toBe(0);

    const hanging = setup(['A-1-X']);
    hanging.rest.state.script.push('hang');
    const started = hanging.registry.start().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    await hanging.registry.stop();
    expect(hanging.rest.state.aborted).toBe(1);
    expect(isKalshiWsPoolError(await started, 'KWP_CLOSED')).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is idempotent and rejects later calls with ClosedError', async () => {
    const { registry } = setup(['A-1-X']);
    await registry.start();
    await Promise.all([registry.stop(), registry.stop()]);
    await expect(registry.markets()).rejects.toMatchObject({ code: 'KWP_CLOSED' });
    await expect(registry.refresh()).rejects.toMatchObject({ code: 'KWP_CLOSED' });
    await expect(registry.start()).rejects.toMatchObject({ code: 'KWP_CLOSED' });
  });
});

describe('createKalshiRestRegistry secrets', () => {
  it('never puts the key id or signature in logs or errors', async () => {
    const { rest, registry, lines } = setup(['A-1-X'], { reconcileIntervalMs: 1000, retry: { initialDelayMs: 10, maxDelayMs: 20 } });
    const errors: unknown[] = [];
    rest.state.script.push({ status: 401 });
    errors.push(await registry.markets().catch((e: unknown) => e));
    await registry.start();
    rest.state.script.push({ status: 401 }, { status: 500 }, new TypeError(`boom ${'x'}`), { status: 429 }, { status: 500 }, { status: 500 }, { status: 500 });
    await vi.advanceTimersByTimeAsync(5000);
    rest.state.script.push({ status: 404 });
    errors.push(await registry.refresh().catch((e: unknown) => e));
    expect(lines.length).toBeGreaterThan(3);
    const text = JSON.stringify(lines) + errors.map((e) => `${String(e)} ${JSON.stringify(e)}`).join(' ');
    expect(text).not.toContain(FAKE_KEY_ID);
    expect(text).not.toContain('c2lnbmF0dXJl');
    expect(errors.map((e) => (e as { code: string }).code)).toEqual(['KWP_AUTH', 'KWP_CONNECT']);
    await registry.stop();
  });
});
