import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import type { ConnectionManager, Logger } from 'kalshi-ws-pool';
import { registerPrometheusMetrics } from 'kalshi-ws-pool/prometheus';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';

interface Line {
  level: string;
  message: string;
  fields: Readonly<Record<string, unknown>>;
  text: string;
}

function capture(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (fields: Readonly<Record<string, unknown>>, message: string) => {
    // Serialise everything a real logger could reach, including error causes and hidden properties.
    lines.push({ level, message, fields, text: `${message} ${inspect(fields, { depth: Infinity, showHidden: true })} ${JSON.stringify(fields)}` });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const LAYOUT = { ticker: 1, trade: 1, lifecycle: 1, orderbook: 2 } as const;
let sim: Simulator | undefined;
const managers: ConnectionManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.stop();
  await sim?.close();
  sim = undefined;
});

describe('key material never reaches logs, snapshots or metrics', () => {
  it('logs connects, faults, repairs, rejections and rejected credentials with structured fields and no secrets', async () => {
    sim = await startSimulator({ markets: 50, pingIntervalMs: 100 });
    const { keyId, privateKeyPem } = sim.credentials!;
    const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const logger = capture();
    const common = {
      url: sim.url,
      logger,
      layout: LAYOUT,
      marketsPerConnection: 20,
      admission: { dialsPerSecond: 1_000, burst: 50, jitterMs: 0 },
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      closeTimeoutMs: 500,
    };
    const registry = createMemoryRegistry(sim.markets);
    const good = createConnectionManager({ ...common, registry, signer: createKalshiSigner({ keyId, privateKey: privateKeyPem }) });
    managers.push(good);
    const metrics = new Registry();
    registerPrometheusMetrics(good, { registry: metrics });
    await good.start();
    await vi.waitFor(() => expect(good.health().connections.every((c) => c.inSync && c.sids.length === 1)).toBe(true), { timeout: 10_000 });

    // Faults: a dropped connection, a gap (repaired), a rejected command.
    const holder = sim.connectionsHolding(sim.markets[0]!)[0]!;
    sim.faults.skipSeq({ connection: holder }, 3);
    sim.publishDelta(sim.markets[0]!);
    await vi.waitFor(() => expect(good.stats().repairs.ok).toBeGreaterThan(0), { timeout: 10_000 });
    sim.faults.failCommands({}, 11, { cmd: 'update_subscription', count: 1 });
    registry.remove(sim.markets[0]!);
    await vi.waitFor(() => expect(logger.lines.some((l) => l.message === 'command rejected')).toBe(true), { timeout: 10_000 });
    sim.faults.drop({ connection: 1 }, { mode: 'destroy' });
    await vi.waitFor(() => expect(good.stats().reconnects.success).toBeGreaterThan(0), { timeout: 10_000 });

    // A second manager with the right key id but the wrong private key: every handshake gets 401.
    const bad = createConnectionManager({
      ...common,
      registry: createMemoryRegistry([]),
      minHealthyConnections: 0,
      signer: createKalshiSigner({ keyId, privateKey: wrongKey }),
    });
    managers.push(bad);
    await bad.start();
    await vi.waitFor(() => expect(bad.health().connections.every((c) => c.state === 'failed')).toBe(true), { timeout: 10_000 });
    for (const manager of managers) await manager.stop();

    const has = (level: string, message: string | RegExp) =>
      logger.lines.some((l) => l.level === level && (typeof message === 'string' ? l.message === message : message.test(l.message)));
    expect(has('info', 'connected')).toBe(true);
    expect(has('warn', 'disconnected')).toBe(true);
    expect(has('info', 'reconnecting')).toBe(true);
    expect(has('debug', 'sequence gap')).toBe(true);
    expect(has('info', 'gap repaired')).toBe(true);
    expect(has('warn', 'markets unplaced: the pool is full')).toBe(true);
    expect(has('warn', 'command rejected')).toBe(true);
    expect(has('error', /credentials rejected/)).toBe(true);
    const rejected = logger.lines.find((l) => l.message === 'command rejected')!;
    expect(rejected.fields).toMatchObject({ connectionId: expect.any(Number), role: 'orderbook', cmd: 'update_subscription', code: 11 });
    const auth = logger.lines.find((l) => l.level === 'error' && /credentials rejected/.test(l.message))!;
    expect(auth.fields).toMatchObject({ connectionId: expect.any(Number), reason: 'auth', status: 401 });

    // The secrets: the key id, and the private keys' bodies (any 32-char slice of the base64).
    const pemBodies = [privateKeyPem, wrongKey].map((pem) => pem.replace(/-----[A-Z ]+-----|\s/g, ''));
    const needles = [keyId, ...pemBodies.flatMap((b) => [b.slice(100, 132), b.slice(800, 832)]), 'KALSHI-ACCESS', 'BEGIN PRIVATE KEY'];
    const surfaces = [
      ...logger.lines.map((l) => l.text),
      ...[good, bad].flatMap((m) => [
        JSON.stringify(m.stats()),
        JSON.stringify(m.health()),
        JSON.stringify(m.connectionStats()),
        inspect(m, { depth: Infinity, showHidden: true }),
        String(m),
      ]),
      await metrics.metrics(),
    ];
    expect(logger.lines.length).toBeGreaterThan(20);
    for (const surface of surfaces) for (const needle of needles) expect(surface.includes(needle), needle).toBe(false);
  });
});
