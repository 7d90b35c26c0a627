import { WS_SIGN_PATH, createKalshiSigner } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { SimAccountCredentials, Simulator } from 'kalshi-ws-pool/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, dialStatus } from './helpers';
import type { TestClient } from './helpers';

let sim: Simulator;
let alice: SimAccountCredentials;
const clients: TestClient[] = [];

beforeAll(async () => {
  sim = await startSimulator({ markets: 10, pingIntervalMs: 0, traffic: { orderbookDeltasPerSecond: 0, tradesPerSecond: 0, tickersPerSecond: 0 } });
  alice = await sim.accounts.create();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await sim.close();
});

const signer = (c: SimAccountCredentials) => createKalshiSigner({ keyId: c.keyId, privateKey: c.privateKeyPem });

async function rest(c: SimAccountCredentials, path: string, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = await signer(c).headers('GET', `/trade-api/v2${path}`);
  const response = await fetch(`${sim.restUrl}${path}${query}`, { headers: { ...headers } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('simulator accounts', () => {
  it('serves private channels: one subscribed per channel, fill/user_order/market_position frames without seq', async () => {
    const client = await connect(sim, { ...(await signer(alice).headers('GET', WS_SIGN_PATH)) });
    clients.push(client);
    const id = client.send('subscribe', { channels: ['fill', 'user_orders', 'market_positions', 'order_group_updates'] });
    const subscribed = await client.waitFor((f) => f.id === id && f.type === 'subscribed', 4);
    expect(subscribed.map((f) => (f.msg as { channel: string }).channel)).toEqual(['fill', 'user_orders', 'market_positions', 'order_group_updates']);
    const fill = sim.accounts.fill(alice.userId, { side: 'yes', count: 3 });
    const frames = await client.waitFor((f) => ['fill', 'user_order', 'market_position'].includes(f.type), 3);
    expect(frames.every((f) => f.seq === undefined && typeof f.sid === 'number')).toBe(true);
    const fillFrame = frames.find((f) => f.type === 'fill')!.msg as Record<string, unknown>;
    expect(fillFrame).toMatchObject({ trade_id: fill.fillId, order_id: fill.orderId, market_ticker: fill.ticker, side: 'yes', action: 'buy', count_fp: '3.00', is_taker: true });
    expect(fillFrame['yes_price_dollars']).toMatch(/^0\.\d{4}$/);
    expect(frames.find((f) => f.type === 'market_position')!.msg).toMatchObject({ market_ticker: fill.ticker, position_fp: '3.00' });
  });

  it('answers error 9 to a private subscribe from a key without an account', async () => {
    const c = sim.credentials!;
    const client = await connect(sim, { ...(await createKalshiSigner({ keyId: c.keyId, privateKey: c.privateKeyPem }).headers('GET', WS_SIGN_PATH)) });
    clients.push(client);
    const id = client.send('subscribe', { channels: ['fill'] });
    const [reply] = await client.waitFor((f) => f.id === id);
    expect(reply).toMatchObject({ type: 'error', msg: { code: 9 } });
  });

  it('pages portfolio/fills newest first with min_ts and cursor, signed per account', async () => {
    const bob = await sim.accounts.create();
    for (let i = 0; i < 7; i++) sim.accounts.fill(bob.userId);
    const expected = sim.accounts.fills(bob.userId).map((f) => f.fillId).reverse();
    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const { status, body } = await rest(bob, '/portfolio/fills', `?min_ts=0&limit=3${cursor === '' ? '' : `&cursor=${cursor}`}`);
      expect(status).toBe(200);
      const fills = body['fills'] as { fill_id: string; trade_id: string; ticker: string; market_ticker: string; created_time: string; ts: number }[];
      for (const f of fills) {
        expect(f.trade_id).toBe(f.fill_id);
        expect(f.market_ticker).toBe(f.ticker);
        expect(Date.parse(f.created_time)).toBe(f.ts * 1000);
      }
      seen.push(...fills.map((f) => f.fill_id));
      cursor = body['cursor'] as string;
      pages++;
    } while (cursor !== '');
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
    const future = await rest(bob, '/portfolio/fills', `?min_ts=${Math.floor(Date.now() / 1000) + 60}`);
    expect(future.body).toEqual({ fills: [], cursor: '' });
    const positions = await rest(bob, '/portfolio/positions');
    expect(positions.status).toBe(200);
    expect((positions.body['market_positions'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('refuses a revoked key with 401 on the handshake and on REST, while a new key of the account works', async () => {
    const carol = await sim.accounts.create();
    expect((await dialStatus(sim, { ...(await signer(carol).headers('GET', WS_SIGN_PATH)) })).status).toBe(101);
    expect(sim.accounts.revoke(carol.keyId)).toBe(true);
    expect((await dialStatus(sim, { ...(await signer(carol).headers('GET', WS_SIGN_PATH)) })).status).toBe(401);
    expect((await rest(carol, '/portfolio/fills')).status).toBe(401);
    const again = await sim.accounts.addKey(carol.userId);
    expect((await dialStatus(sim, { ...(await signer(again).headers('GET', WS_SIGN_PATH)) })).status).toBe(101);
    expect((await rest(again, '/portfolio/fills')).status).toBe(200);
    // A signature by another key under this key id is refused.
    const forged = await createKalshiSigner({ keyId: again.keyId, privateKey: alice.privateKeyPem }).headers('GET', WS_SIGN_PATH);
    expect((await dialStatus(sim, { ...forged })).status).toBe(401);
  });
});
