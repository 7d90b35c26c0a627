import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WS_SIGN_PATH, createKalshiSigner } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { connect, dialStatus, signedHeaders } from './helpers';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ markets: 5, timestampWindowMs: 5000 });
});

afterAll(async () => {
  await sim.close();
});

const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherPem = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

async function headersWith(overrides: { privateKey?: string; path?: string; skewMs?: number; keyId?: string } = {}): Promise<Record<string, string>> {
  const signer = createKalshiSigner({
    keyId: overrides.keyId ?? sim.credentials!.keyId,
    privateKey: overrides.privateKey ?? sim.credentials!.privateKeyPem,
    clock: { now: () => Date.now() + (overrides.skewMs ?? 0) },
  });
  return { ...(await signer.headers('GET', overrides.path ?? WS_SIGN_PATH)) };
}

describe('handshake auth', () => {
  it('accepts a valid signature, whatever the key id', async () => {
    expect((await dialStatus(sim, await headersWith())).status).toBe(101);
    expect((await dialStatus(sim, await headersWith({ keyId: 'another-key-id' }))).status).toBe(101);
  });

  it('answers 401 for missing headers, a wrong key, a wrong signed path and a skewed clock', async () => {
    const before = sim.stats().handshakesRejected[401] ?? 0;
    const valid = await headersWith();
    const { 'KALSHI-ACCESS-SIGNATURE': _sig, ...noSignature } = valid;
    expect((await dialStatus(sim, {})).status).toBe(401);
    expect((await dialStatus(sim, noSignature)).status).toBe(401);
    expect((await dialStatus(sim, await headersWith({ privateKey: otherPem }))).status).toBe(401);
    expect((await dialStatus(sim, await headersWith({ path: '/trade-api/v2/markets' }))).status).toBe(401);
    expect((await dialStatus(sim, await headersWith({ skewMs: -6000 }))).status).toBe(401);
    expect((await dialStatus(sim, await headersWith({ skewMs: 6000 }))).status).toBe(401);
    expect((await dialStatus(sim, { ...valid, 'KALSHI-ACCESS-TIMESTAMP': String(Number(valid['KALSHI-ACCESS-TIMESTAMP']) + 1) })).status).toBe(401);
    expect(sim.stats().handshakesRejected[401]).toBe(before + 7);
  });

  it('pins a key id when asked, and trusts the given public keys', async () => {
    const pinned = await startSimulator({ markets: 1, publicKeys: [other.publicKey], keyId: 'pinned-id' });
    try {
      expect(pinned.credentials).toBeUndefined();
      const sign = (keyId: string) =>
        createKalshiSigner({ keyId, privateKey: otherPem })
          .headers('GET', WS_SIGN_PATH)
          .then((h) => ({ ...h }));
      expect((await dialStatus(pinned, await sign('pinned-id'))).status).toBe(101);
      expect((await dialStatus(pinned, await sign('some-other-id'))).status).toBe(401);
    } finally {
      await pinned.close();
    }
  });

  it('answers 404 on other paths', async () => {
    const headers = await headersWith();
    const status = await new Promise<number>((resolve) => {
      void import('ws').then(({ default: WebSocket }) => {
        const ws = new WebSocket(sim.url.replace('/trade-api/ws/v2', '/elsewhere'), { headers });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('error', () => resolve(-1));
      });
    });
    expect(status).toBe(404);
  });
});

describe('handshake faults', () => {
  it('rejects the next N handshakes with 403, then accepts', async () => {
    sim.faults.rejectHandshakes({ status: 403, count: 2 });
    expect((await dialStatus(sim, await signedHeaders(sim).then((h) => ({ ...h })))).status).toBe(403);
    expect((await dialStatus(sim, await headersWith())).status).toBe(403);
    expect((await dialStatus(sim, await headersWith())).status).toBe(101);
  });

  it('answers 429 with or without Retry-After, and 500', async () => {
    sim.faults.rejectHandshakes({ status: 429, count: 1, retryAfterSeconds: 7 });
    expect(await dialStatus(sim, await headersWith())).toEqual({ status: 429, retryAfter: '7' });
    sim.faults.rejectHandshakes({ status: 429, count: 1 });
    expect(await dialStatus(sim, await headersWith())).toEqual({ status: 429, retryAfter: undefined });
    sim.faults.rejectHandshakes({ status: 500, count: 1 });
    expect((await dialStatus(sim, await headersWith())).status).toBe(500);
    expect((await dialStatus(sim, await headersWith())).status).toBe(101);
  });

  it('rejects a fraction of attempts until cleared', async () => {
    sim.faults.rejectHandshakes({ status: 500, fraction: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) statuses.push((await dialStatus(sim, await headersWith())).status);
    expect(statuses.filter((s) => s === 500).length).toBeGreaterThan(3);
    expect(statuses.filter((s) => s === 101).length).toBeGreaterThan(3);
    sim.faults.clear();
    expect((await dialStatus(sim, await headersWith())).status).toBe(101);
  });

  it('refuses connections beyond the per-key limit with 429', async () => {
    sim.faults.setConnectionsPerKey(2);
    try {
      const a = await connect(sim, await headersWith({ keyId: 'limited' }));
      const b = await connect(sim, await headersWith({ keyId: 'limited' }));
      expect((await dialStatus(sim, await headersWith({ keyId: 'limited' }))).status).toBe(429);
      // Other keys are not affected.
      expect((await dialStatus(sim, await headersWith({ keyId: 'other' }))).status).toBe(101);
      a.close();
      await expect.poll(async () => (await dialStatus(sim, await headersWith({ keyId: 'limited' }))).status).toBe(101);
      b.close();
    } finally {
      sim.faults.setConnectionsPerKey(Number.POSITIVE_INFINITY);
    }
  });
});
