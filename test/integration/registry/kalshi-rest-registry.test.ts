import { generateKeyPairSync } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, WS_SIGN_PATH, createKalshiRestRegistry, createKalshiSigner } from 'kalshi-ws-pool';
import type { KalshiRestRegistry, KalshiSigner, LogFields, MarketChange, RawMessage } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';

// Recognisable, so a leak into a log line or an error message is easy to spot.
const FAKE_KEY_ID = 'FAKE-KEY-ID-3b0d2a9e-do-not-log';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

let sim: Simulator;
let signer: KalshiSigner;
const logged: { level: string; fields: LogFields; message: string }[] = [];
const errors: unknown[] = [];
const registries: KalshiRestRegistry[] = [];
let requests = 0;

const logger = {
  debug: (fields: LogFields, message: string) => logged.push({ level: 'debug', fields, message }),
  info: (fields: LogFields, message: string) => logged.push({ level: 'info', fields, message }),
  warn: (fields: LogFields, message: string) => logged.push({ level: 'warn', fields, message }),
  error: (fields: LogFields, message: string) => logged.push({ level: 'error', fields, message }),
};

const countingFetch = ((input: string | URL | Request, init?: RequestInit) => {
  requests += 1;
  return fetch(input, init);
}) as typeof fetch;

function registry(options: { signer?: KalshiSigner; pageSize?: number } = {}): KalshiRestRegistry {
  const created = createKalshiRestRegistry({
    baseUrl: sim.restUrl,
    signer: options.signer ?? signer,
    pageSize: options.pageSize ?? 1000,
    fetch: countingFetch,
    logger,
    retry: { initialDelayMs: 50, maxDelayMs: 2000 },
  });
  registries.push(created);
  return created;
}

beforeAll(async () => {
  sim = await startSimulator({ markets: 2500 });
  signer = createKalshiSigner({ keyId: FAKE_KEY_ID, privateKey: sim.credentials!.privateKeyPem });
});

afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.stop()));
});

afterAll(async () => {
  await sim?.close();
  // Neither the key id nor any line of the private key may reach a log line or an error.
  const text = JSON.stringify(logged) + errors.map((e) => `${String(e)} ${JSON.stringify(e)} ${String((e as Error).stack)}`).join('\n');
  expect(text).not.toContain(FAKE_KEY_ID);
  expect(text).not.toContain(sim.credentials!.keyId);
  const keyLines = sim.credentials!.privateKeyPem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
  for (const line of keyLines) expect(text).not.toContain(line);
});

describe('Kalshi REST registry against the simulator', () => {
  it('pages 2,500 open markets with pageSize 1000', async () => {
    requests = 0;
    const markets = await registry().markets();
    expect(markets).toHaveLength(2500);
    expect(new Set(markets).size).toBe(2500);
    expect(requests).toBe(3);
  });

  it('waits out a 429 with Retry-After, then loads', async () => {
    sim.faults.rejectHandshakes({ status: 429, count: 1, retryAfterSeconds: 1, applyTo: 'rest' });
    requests = 0;
    const started = Date.now();
    const markets = await registry({ pageSize: 500 }).markets();
    expect(markets).toHaveLength(2500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(requests).toBe(1 + 5);
    expect(logged.some((line) => line.fields.status === 429)).toBe(true);
  });

  it('picks up added and removed markets on refresh()', async () => {
    const rest = registry();
    const before = new Set(await rest.markets());
    const batches: MarketChange[][] = [];
    rest.onChange((changes) => batches.push([...changes]));
    const gone = [...before][7]!;
    sim.removeMarket(gone);
    const added = sim.addMarket();
    const changes = await rest.refresh();
    expect(changes).toEqual(expect.arrayContaining([
      { kind: 'removed', ticker: gone },
      { kind: 'added', ticker: added },
    ]));
    expect(changes).toHaveLength(2);
    expect(batches).toEqual([changes]);
    expect(before.has(added)).toBe(false);
  });

  it('applies a lifecycle-driven change at once', async () => {
    const rest = registry();
    const before = new Set(await rest.markets());
    const batches: MarketChange[][] = [];
    rest.onChange((changes) => batches.push([...changes]));
    const socket = await lifecycleSocket((message) => rest.onLifecycle(message));
    try {
      const added = sim.addMarket();
      await expect.poll(() => batches.flat(), { timeout: 5000 }).toContainEqual({ kind: 'added', ticker: added });
      expect(before.has(added)).toBe(false);
      expect(await rest.markets()).toContain(added);
      sim.removeMarket(added);
      await expect.poll(() => batches.flat(), { timeout: 5000 }).toContainEqual({ kind: 'removed', ticker: added });
      // REST agrees with what the frames already applied: nothing left to reconcile.
      expect(await rest.refresh()).toEqual([]);
    } finally {
      socket.close();
    }
  });

  it('rejects an unknown key with AuthError (HTTP 401) and no key material', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger = createKalshiSigner({ keyId: FAKE_KEY_ID, privateKey });
    const error = await registry({ signer: stranger }).markets().catch((e: unknown) => e);
    errors.push(error);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).status).toBe(401);
  });
});

/** A signed raw `ws` connection subscribed to `market_lifecycle_v2`, handing frames over as RawMessages. */
async function lifecycleSocket(onFrame: (message: RawMessage) => void): Promise<WebSocket> {
  const headers = await signer.headers('GET', WS_SIGN_PATH);
  const socket = new WebSocket(sim.url, { headers: { ...headers } });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const subscribed = new Promise<void>((resolve) => {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { type: string; sid?: number; seq?: number };
      if (frame.type === 'subscribed') resolve();
      onFrame({
        data: new Uint8Array(data),
        connectionId: 1,
        receivedAt: Date.now(),
        type: frame.type,
        sid: frame.sid,
        seq: frame.seq,
        seqGap: false,
        gapSize: 0,
      });
    });
  });
  socket.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['market_lifecycle_v2'] } }));
  await subscribed;
  return socket;
}
