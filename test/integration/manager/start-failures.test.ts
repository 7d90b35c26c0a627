import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { PoolStartError, createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import type { ConnectionManagerOptions } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../helpers/logger';

// #14 item 2: start() says why it failed, by kind, with a hint; each failed connection logs a warning.

const LAYOUT = { ticker: 1, trade: 1, lifecycle: 1, orderbook: 1 } as const;
const WRONG_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const HINT_401 = 'the key id or private key was rejected (or the clock is off, or they belong to the other environment)';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ markets: 20, pingIntervalMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

function manager(extra: Partial<ConnectionManagerOptions> & { privateKey?: string } = {}) {
  const { keyId, privateKeyPem } = sim.credentials!;
  const logger = recordingLogger();
  const { privateKey, ...rest } = extra;
  const pool = createConnectionManager({
    url: sim.url,
    signer: createKalshiSigner({ keyId, privateKey: privateKey ?? privateKeyPem }),
    registry: createMemoryRegistry(sim.markets),
    layout: LAYOUT,
    minHealthyConnections: 4,
    admission: { dialsPerSecond: 1_000, burst: 10, jitterMs: 0 },
    reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    closeTimeoutMs: 500,
    logger,
    ...rest,
  } as ConnectionManagerOptions);
  return { pool, logger };
}

async function startError(pool: ReturnType<typeof manager>['pool']): Promise<PoolStartError> {
  const error = await pool.start().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PoolStartError);
  return error as PoolStartError;
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('PoolStartError explains itself (#14)', () => {
  it('wrong key: "4 × HTTP 401" with its hint, and a warning per connection (folded lines keep their ids)', async () => {
    const { pool, logger } = manager({ privateKey: WRONG_KEY });
    const error = await startError(pool);
    expect(error.message).toBe(
      `pool start failed: 0 healthy connections, 4 required; 4 × HTTP 401: ${HINT_401} (see docs/troubleshooting.md)`,
    );
    const warned = logger.lines.filter((l) => l.level === 'warn' && l.message.startsWith('connection failed during start (HTTP 401:'));
    // The first is logged as is; the three others are folded into one summary that still names them.
    expect(warned[0]!.fields).toMatchObject({ connectionId: expect.any(Number), status: 401, kind: 'HTTP 401' });
    const ids = [warned[0]!.fields['connectionId'], ...((warned[1]?.fields['connectionIds'] as number[] | undefined) ?? [])];
    expect(ids.sort()).toEqual([1, 2, 3, 4]);
  });

  it('wrong path: "HTTP 404: … is the path /trade-api/ws/v2?"', async () => {
    const url = sim.url.replace('/trade-api/ws/v2', '/trade-api/v2/ws');
    const { pool } = manager({ url });
    const error = await startError(pool);
    expect(error.message).toBe(
      'pool start failed: 0 healthy connections, 4 required; 4 × HTTP 404: /trade-api/v2/ws was not found; is the path /trade-api/ws/v2? (see docs/troubleshooting.md)',
    );
  });

  it('nothing listening: "ECONNREFUSED 127.0.0.1:<port>: nothing is listening there"', async () => {
    const port = await closedPort();
    const { pool, logger } = manager({ url: `ws://127.0.0.1:${port}/trade-api/ws/v2` });
    const error = await startError(pool);
    expect(error.message).toBe(
      `pool start failed: 0 healthy connections, 4 required; 4 × ECONNREFUSED 127.0.0.1:${port}: nothing is listening there (check the url and that the server runs) (see docs/troubleshooting.md)`,
    );
    expect(logger.lines.some((l) => l.level === 'warn' && l.fields['connectionId'] === 1 && l.fields['kind'] === `ECONNREFUSED 127.0.0.1:${port}`)).toBe(true);
  });

  it('HTTP 403 and 429 from the server get their own hints; mixed kinds are listed most frequent first', async () => {
    sim.faults.rejectHandshakes({ status: 403, count: 3 });
    const first = await startError(manager().pool);
    expect(first.message).toMatch(/; 3 × HTTP 403: the key may not use this endpoint .*\(see docs\/troubleshooting\.md\)$/);
    sim.faults.clear();
    sim.faults.rejectHandshakes({ status: 429, count: 4 });
    const second = await startError(manager({ minHealthyConnections: 1 }).pool);
    expect(second.message).toContain('4 × HTTP 429: rate limited at the handshake');
    sim.faults.clear();
  });

  it('a dial that never gets a handshake: "ETIMEDOUT" with the dialTimeoutMs hint', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket)); // accepts TCP, never answers HTTP
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const { pool } = manager({ url: `ws://127.0.0.1:${port}/trade-api/ws/v2`, client: { dialTimeoutMs: 300 } });
      const started = Date.now();
      const error = await startError(pool);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error.message).toBe(
        'pool start failed: 0 healthy connections, 4 required; 4 × ETIMEDOUT: no handshake within client.dialTimeoutMs (check the url, a firewall or proxy) (see docs/troubleshooting.md)',
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a partial start logs a warning naming the failures, and each failed connection by id', async () => {
    sim.faults.rejectHandshakes({ status: 401, count: 1 });
    const { pool, logger } = manager({ minHealthyConnections: 3 });
    try {
      await pool.start();
      const partial = logger.lines.find((l) => l.level === 'warn' && l.message.startsWith('pool started partially'));
      expect(partial?.message).toBe(`pool started partially: 3 of 4 connections up; 1 × HTTP 401: ${HINT_401} (see docs/troubleshooting.md)`);
      expect(partial?.fields).toMatchObject({ healthy: 3, required: 3, failed: 1 });
      const failed = logger.lines.find((l) => l.message.startsWith('connection failed during start'));
      expect(failed?.fields).toMatchObject({ connectionId: expect.any(Number), role: expect.any(String), status: 401 });
    } finally {
      await pool.stop();
      sim.faults.clear();
    }
  });
});
