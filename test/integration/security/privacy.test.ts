/**
 * Privacy: a recognisable fake key id and private key go through every error the package can raise
 * with them, the signer, the client, the manager's snapshots and events, and never appear in any
 * textual form (message, stack, String, JSON, util.inspect with hidden fields and causes).
 * Logs and metrics output are covered by test/integration/manager/logging-secrets.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import {
  AuthError,
  ClosedError,
  CommandRejectedError,
  CommandTimeoutError,
  ConfigError,
  ConnectError,
  PoolStartError,
  createConnectionManager,
  createKalshiClient,
  createKalshiSigner,
  createMemoryRegistry,
} from 'kalshi-ws-pool';
import type { Client, ConnectionManager, ManagerErrorEvent } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KEY_ID = 'FAKEKEYID-0b5e7a1c-6d2f-4e8a-9c3b-7f1d2e4a6b8c';
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const OTHER_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const MARKER = 'SECRET-MARKER-4f1c9e';

/** Everything that must never show: the key id, slices of both PEM bodies, PEM headers, a marker inside a broken key. */
const needles: string[] = [
  KEY_ID,
  KEY_ID.slice(10, 30),
  ...[PRIVATE_PEM, OTHER_PEM].flatMap((pem) => {
    const body = pem.replace(/-----[A-Z ]+-----|\s/g, '');
    return [body.slice(64, 96), body.slice(600, 632), body.slice(-96, -64)];
  }),
  'PRIVATE KEY-----',
  MARKER,
];

/** Every textual form of a value (errors: their whole cause chain too). */
function surfaces(value: unknown): string[] {
  const out = [inspect(value, { depth: Infinity, showHidden: true, getters: true }), String(value)];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch (error) {
    out.push(String(error));
  }
  for (let e: unknown = value; e instanceof Error; e = e.cause) {
    out.push(e.message, e.stack ?? '', JSON.stringify(e, Object.getOwnPropertyNames(e)));
    if (e instanceof PoolStartError) for (const failure of e.failures) out.push(...surfaces(failure.error));
  }
  return out;
}

function expectClean(label: string, value: unknown): void {
  for (const text of surfaces(value)) for (const needle of needles) expect(text.includes(needle), `${label} shows ${needle}`).toBe(false);
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ markets: 40, pingIntervalMs: 0, publicKeys: [pair.publicKey], keyId: KEY_ID });
});
afterAll(async () => {
  await sim.close();
});

describe('privacy: key material never leaves the signer', () => {
  it('the signer and a client holding it print as redacted', async () => {
    const signer = createKalshiSigner({ keyId: KEY_ID, privateKey: PRIVATE_PEM });
    const headers = await signer.headers('GET', '/trade-api/ws/v2');
    expect(headers['KALSHI-ACCESS-KEY']).toBe(KEY_ID); // it does sign with them...
    expectClean('signer', signer); // ...but shows neither
    expect(Object.keys(signer)).toEqual(['headers']);
    expectClean('signer entries', Object.entries(signer));
    const client = createKalshiClient({ url: sim.url, signer });
    expectClean('client', client);
    await client.connect();
    expectClean('open client', client);
    expectClean('client stats', client.stats());
    await client.close();
  });

  it('configuration errors about the key never echo it', () => {
    const broken = [
      `-----BEGIN PRIVATE KEY-----\n${MARKER}${PRIVATE_PEM.slice(40, 400)}\n-----END PRIVATE KEY-----`,
      PRIVATE_PEM.slice(0, 900), // truncated
      `${MARKER} not a key`,
    ];
    for (const privateKey of broken) {
      let error: unknown;
      try {
        createKalshiSigner({ keyId: KEY_ID, privateKey });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expectClean('ConfigError(privateKey)', error);
    }
    let error: unknown;
    try {
      createConnectionManager({ url: sim.url, signer: { keyId: KEY_ID, privateKey: PRIVATE_PEM } as never, registry: createMemoryRegistry() });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expectClean('ConfigError(signer)', error);
  });

  it('handshake, network, command and lifecycle errors carry no key material', async () => {
    const good = createKalshiSigner({ keyId: KEY_ID, privateKey: PRIVATE_PEM });
    const wrongKey = createKalshiSigner({ keyId: KEY_ID, privateKey: OTHER_PEM });
    // 401: the simulator does not trust the other key
    const auth = await rejectionOf(createKalshiClient({ url: sim.url, signer: wrongKey }).connect());
    expect(auth).toBeInstanceOf(AuthError);
    expectClean('AuthError', auth);
    // refused connection
    const refused = await rejectionOf(createKalshiClient({ url: 'ws://127.0.0.1:1/trade-api/ws/v2', signer: good }).connect());
    expect(refused).toBeInstanceOf(ConnectError);
    expectClean('ConnectError', refused);
    // rejected and timed-out commands on an open connection
    const client: Client = createKalshiClient({ url: sim.url, signer: good, commandTimeoutMs: 200 });
    await client.connect();
    sim.faults.failCommands({}, 11, { count: 1 });
    const rejected = await rejectionOf(client.subscribe(['orderbook_delta'], [sim.markets[0]!]));
    expect(rejected).toBeInstanceOf(CommandRejectedError);
    expectClean('CommandRejectedError', rejected);
    sim.faults.ignoreCommands({}, 1);
    const timeout = await rejectionOf(client.subscribe(['orderbook_delta'], [sim.markets[1]!]));
    expect(timeout).toBeInstanceOf(CommandTimeoutError);
    expectClean('CommandTimeoutError', timeout);
    await client.close();
    const closed = await rejectionOf(client.listSubscriptions());
    expectClean('error after close', closed);
  });

  it('a pool whose every handshake is refused: PoolStartError, fatal events, stats, health and the manager stay clean', async () => {
    const events: ManagerErrorEvent[] = [];
    const manager: ConnectionManager = createConnectionManager({
      url: sim.url,
      signer: createKalshiSigner({ keyId: KEY_ID, privateKey: OTHER_PEM }),
      registry: createMemoryRegistry(sim.markets),
      layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook: 3 },
      admission: { dialsPerSecond: 1_000, burst: 10, jitterMs: 0 },
      closeTimeoutMs: 200,
    });
    manager.on('error', (e) => events.push(e));
    const error = await rejectionOf(manager.start());
    expect(error).toBeInstanceOf(PoolStartError);
    expect((error as PoolStartError).failures.every((f) => f.error instanceof AuthError)).toBe(true);
    expectClean('PoolStartError', error);
    expectClean('error events', events);
    expectClean('stats', manager.stats());
    expectClean('health', manager.health());
    expectClean('connectionStats', manager.connectionStats());
    expectClean('manager', manager);
    const after = await rejectionOf(manager.start());
    expect(after).toBeInstanceOf(ClosedError);
    expectClean('ClosedError', after);
  });

  it('a running pool with faults: fatal and non-fatal events, snapshots and the manager stay clean', async () => {
    const events: ManagerErrorEvent[] = [];
    const manager = createConnectionManager({
      url: sim.url,
      signer: createKalshiSigner({ keyId: KEY_ID, privateKey: PRIVATE_PEM }),
      registry: createMemoryRegistry(sim.markets),
      layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook: 3 },
      admission: { dialsPerSecond: 1_000, burst: 10, jitterMs: 0 },
      reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
      client: { commandTimeoutMs: 200 },
      closeTimeoutMs: 200,
    });
    manager.on('error', (e) => events.push(e));
    try {
      await manager.start();
      sim.faults.rejectHandshakes({ status: 401, count: 1 });
      sim.faults.drop({ connection: 'all' }, { mode: 'destroy' });
      await expect.poll(() => events.filter((e) => e.fatal).length, { timeout: 5_000 }).toBe(1);
      await expect.poll(() => manager.health().connected, { timeout: 5_000 }).toBe(5);
      expectClean('events', events);
      expectClean('stats', manager.stats());
      expectClean('health', manager.health());
      expectClean('manager', manager);
    } finally {
      await manager.stop();
    }
    expectClean('stopped manager', manager);
  });
});
