import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKalshiSigner } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { connect } from './helpers';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ markets: 250 });
});

afterAll(async () => {
  await sim.close();
});

interface Page {
  markets: { ticker: string; status: string; event_ticker: string }[];
  cursor: string;
}

async function get(query: string, signed = true): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
  const path = '/trade-api/v2/markets';
  const headers = signed
    ? { ...(await createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey: sim.credentials!.privateKeyPem }).headers('GET', path)) }
    : {};
  const res = await fetch(`${sim.restUrl}/markets${query}`, { headers });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
}

async function all(limit: number, between?: (page: number) => void): Promise<{ tickers: string[]; pages: number }> {
  const tickers: string[] = [];
  let cursor = '';
  let pages = 0;
  do {
    const { status, body } = await get(`?status=open&limit=${limit}${cursor === '' ? '' : `&cursor=${cursor}`}`);
    expect(status).toBe(200);
    const page = body as Page;
    tickers.push(...page.markets.map((m) => m.ticker));
    cursor = page.cursor;
    pages++;
    between?.(pages);
  } while (cursor !== '');
  return { tickers, pages };
}

describe('REST markets', () => {
  it('pages every open market with a cursor, empty on the last page', async () => {
    const { tickers, pages } = await all(100);
    expect(pages).toBe(3);
    expect(tickers).toEqual([...sim.markets]);
    const { body } = await get('?status=open&limit=5');
    expect((body as Page).markets[0]).toMatchObject({ status: 'open', ticker: sim.markets[0], event_ticker: expect.any(String) });
    expect(sim.markets[0]!.startsWith((body as Page).markets[0]!.event_ticker)).toBe(true);
  });

  it('requires a signature and validates limit', async () => {
    expect((await get('?status=open', false)).status).toBe(401);
    expect((await get('?limit=0')).status).toBe(400);
    expect((await get('?limit=1001')).status).toBe(400);
  });

  it('reflects added and removed markets, also between pages, and emits lifecycle frames', async () => {
    const c = await connect(sim);
    c.send('subscribe', { channels: ['market_lifecycle_v2'] });
    await c.waitFor((f) => f.type === 'subscribed');
    const added = sim.addMarket();
    const custom = sim.addMarket('KXTEST-26AUG19-T1');
    expect(() => sim.addMarket('KXTEST-26AUG19-T1')).toThrow(/already/);
    const victim = sim.markets[200]!;
    const { tickers } = await all(100, (page) => {
      if (page === 1) sim.removeMarket(victim, 'settled');
    });
    expect(tickers).toContain(added);
    expect(tickers).toContain(custom);
    expect(tickers).not.toContain(victim);
    expect(tickers).toHaveLength(251);
    expect(() => sim.removeMarket(victim)).toThrow(/not an open market/);
    const frames = await c.waitFor((f) => f.type === 'market_lifecycle_v2', 5);
    expect(frames.map((f) => [(f.msg as Record<string, unknown>)['event_type'], (f.msg as Record<string, unknown>)['market_ticker'], f.seq])).toEqual([
      ['created', added, 1],
      ['activated', added, 2],
      ['created', custom, 3],
      ['activated', custom, 4],
      ['settled', victim, 5],
    ]);
    c.close();
  });

  it('applies rejection faults to REST only when asked', async () => {
    sim.faults.rejectHandshakes({ status: 429, count: 1, retryAfterSeconds: 2, applyTo: 'rest' });
    const rejected = await get('?limit=1');
    expect([rejected.status, rejected.retryAfter]).toEqual([429, '2']);
    expect((await get('?limit=1')).status).toBe(200);
    sim.faults.rejectHandshakes({ status: 500, count: 1 });
    expect((await get('?limit=1')).status).toBe(200);
    sim.faults.clear();
  });
});
