/**
 * Privacy in every state: no public object (client, manager, their stats and events) holds a reachable
 * reference to the signed handshake request or its headers, whether connecting, after a failed dial
 * (401, 429, timeout), open, reconnecting, closed, or after stop(). Inspected with hidden and
 * symbol-keyed properties at full depth.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { inspect } from 'node:util';
import { createConnectionManager, createKalshiClient, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KEY_ID = 'FAKEKEYID-9d3c1b2a-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const OTHER_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const needles = [KEY_ID, 'KALSHI-ACCESS-KEY', 'KALSHI-ACCESS-SIGNATURE', 'KALSHI-ACCESS-TIMESTAMP', 'kalshi-access-signature'];

/** Every property, hidden or symbol-keyed, at full depth. */
function expectClean(label: string, value: unknown): void {
  const text = inspect(value, { depth: Infinity, showHidden: true, getters: false, maxArrayLength: Infinity, maxStringLength: Infinity });
  for (const needle of needles) expect(text.includes(needle), `${label} shows ${needle}`).toBe(false);
  expect(reachesHeaders(value), `${label} reaches the handshake request`).toBe(false);
}

/** Walks every own property (string and symbol keys, enumerable or not) looking for the key id. */
function reachesHeaders(root: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [root];
  let visited = 0;
  while (stack.length > 0 && visited < 200_000) {
    const value = stack.pop();
    visited += 1;
    if (typeof value === 'string') {
      if (value.includes(KEY_ID)) return true;
      continue;
    }
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) continue;
    seen.add(value);
    if (value instanceof Map) for (const [k, v] of value) stack.push(k, v);
    if (value instanceof Set) for (const v of value) stack.push(v);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && 'value' in descriptor) stack.push(descriptor.value);
    }
    stack.push(Object.getPrototypeOf(value));
  }
  return false;
}

let sim: Simulator;
let silent: Server;
const silentSockets = new Set<Socket>();
beforeAll(async () => {
  sim = await startSimulator({ markets: 20, pingIntervalMs: 0, publicKeys: [pair.publicKey], keyId: KEY_ID });
  // Accepts TCP and never answers the handshake: a dial timeout.
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await sim.close();
});

const good = (): ReturnType<typeof createKalshiSigner> => createKalshiSigner({ keyId: KEY_ID, privateKey: PRIVATE_PEM });

describe('privacy: the signed handshake is unreachable in every state', () => {
  it('client: connecting, 401, 429, dial timeout, open, closed', async () => {
    const connecting = createKalshiClient({ url: `ws://127.0.0.1:${(silent.address() as { port: number }).port}/trade-api/ws/v2`, signer: good(), dialTimeoutMs: 300 });
    const dial = connecting.connect().catch((error: unknown) => error);
    await expect.poll(() => silentSockets.size, { timeout: 2_000 }).toBeGreaterThan(0);
    expectClean('connecting client', connecting);
    await dial;
    expectClean('client after a dial timeout', connecting);

    const wrong = createKalshiClient({ url: sim.url, signer: createKalshiSigner({ keyId: KEY_ID, privateKey: OTHER_PEM }) });
    await wrong.connect().catch(() => undefined);
    expectClean('client after 401', wrong);

    sim.faults.rejectHandshakes({ status: 429, count: 1 });
    const limited = createKalshiClient({ url: sim.url, signer: good() });
    await limited.connect().catch(() => undefined);
    expectClean('client after 429', limited);

    const open = createKalshiClient({ url: sim.url, signer: good() });
    await open.connect();
    expectClean('open client', open);
    await open.close();
    expectClean('closed client', open);
  });

  it('manager: starting, running, reconnecting, after stop()', async () => {
    const manager = createConnectionManager({
      url: sim.url,
      signer: good(),
      registry: createMemoryRegistry(sim.markets),
      layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook: 2 },
      admission: { dialsPerSecond: 1_000, burst: 10, jitterMs: 0 },
      reconnect: { initialDelayMs: 200, maxDelayMs: 400 },
      closeTimeoutMs: 200,
    });
    try {
      const started = manager.start();
      expectClean('starting manager', manager);
      await started;
      expectClean('running manager', manager);
      sim.faults.rejectHandshakes({ status: 429, count: 5 });
      sim.faults.drop({ connection: 'all' }, { mode: 'destroy' });
      await expect.poll(() => manager.health().connected, { timeout: 5_000 }).toBeLessThan(5);
      expectClean('reconnecting manager', manager);
      await expect.poll(() => manager.health().connected, { timeout: 8_000 }).toBe(5);
      expectClean('recovered manager', manager);
    } finally {
      await manager.stop();
    }
    expectClean('stopped manager', manager);
  });
});
