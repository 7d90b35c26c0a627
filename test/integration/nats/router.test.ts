import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createJetStreamRouter, NatsConnectError, NatsStreamError } from 'kalshi-ws-pool/nats';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { announceNatsSkip, natsBinary, natsMissing, startNatsServer } from '../../helpers/nats';
import type { NatsServer } from '../../helpers/nats';
import { startGatherer } from './cluster-helpers';
import type { Gatherer } from './cluster-helpers';

announceNatsSkip();

/** Stored messages per channel type, from the stream's per-subject counts. */
async function storedByType(url: string): Promise<Record<string, number>> {
  const nc = await connect({ servers: url });
  try {
    const info = await (await jetstreamManager(nc)).streams.info('KALSHI', { subjects_filter: 'kalshi.>' });
    const out: Record<string, number> = {};
    for (const [subject, count] of Object.entries(info.state.subjects ?? {})) {
      const type = subject.split('.')[1]!;
      out[type] = (out[type] ?? 0) + count;
    }
    return out;
  } finally {
    await nc.close();
  }
}

describe.skipIf(natsMissing)('JetStream router against a real nats-server', () => {
  let nats: NatsServer;
  let sim: Simulator;
  const gatherers: Gatherer[] = [];

  beforeEach(async () => {
    nats = await startNatsServer();
    sim = await startSimulator({ markets: 12, pingIntervalMs: 0 });
  });
  afterEach(async () => {
    for (const g of gatherers.splice(0)) await g.stop();
    await sim.close();
    await nats.stop();
  });

  it('rejects start with NatsConnectError naming the URL when NATS is unreachable', async () => {
    await nats.kill();
    const router = createJetStreamRouter({ servers: nats.url, gathererId: 'g1', connectTimeoutMs: 500 });
    const error = await router.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NatsConnectError);
    expect((error as NatsConnectError).code).toBe('KWP_CONNECT');
    expect((error as Error).message).toContain(nats.url);
  });

  it('rejects start with NatsStreamError when the stream does not cover the subjects, or is missing', async () => {
    const nc = await connect({ servers: nats.url });
    await (await jetstreamManager(nc)).streams.add({ name: 'OTHER', subjects: ['other.>'] });
    await nc.close();
    const wrong = createJetStreamRouter({ servers: nats.url, gathererId: 'g1', stream: 'OTHER' });
    await expect(wrong.start()).rejects.toMatchObject({ code: 'KWP_NATS_STREAM', stream: 'OTHER' });
    const missing = createJetStreamRouter({ servers: nats.url, gathererId: 'g1', stream: 'NOPE' });
    await expect(missing.start()).rejects.toBeInstanceOf(NatsStreamError);
  });

  it('publishes every frame once with acks, bounded in flight', async () => {
    const g = await startGatherer(sim, nats.url, 'g1', undefined, { maxInFlight: 8 });
    gatherers.push(g);
    await vi.waitFor(() => expect(g.router.stats().acknowledged).toBe(12), { timeout: 10_000 }); // one snapshot per market
    let maxInFlight = 0;
    for (let round = 0; round < 20; round++) {
      for (const ticker of sim.markets) {
        sim.publishDelta(ticker);
        if (round % 4 === 0) sim.publishTrade(ticker);
      }
      maxInFlight = Math.max(maxInFlight, g.router.stats().inFlight);
    }
    await vi.waitFor(() => expect(g.router.stats()).toMatchObject({ acknowledged: 12 + 240 + 60, inFlight: 0 }), { timeout: 15_000 });
    expect(maxInFlight).toBeLessThanOrEqual(8);
    expect(await storedByType(nats.url)).toMatchObject({ orderbook_snapshot: 12, orderbook_delta: 240, trade: 60 });
    expect(g.router.stats().duplicates).toBe(0);
  });

  it('replicas store trades once through the duplicate window; their deltas both', async () => {
    const a = await startGatherer(sim, nats.url, 'a');
    const b = await startGatherer(sim, nats.url, 'b');
    gatherers.push(a, b);
    await vi.waitFor(() => expect(a.router.stats().acknowledged + b.router.stats().acknowledged).toBe(24), { timeout: 10_000 });
    for (const ticker of sim.markets) {
      for (let i = 0; i < 5; i++) sim.publishTrade(ticker);
      sim.publishDelta(ticker);
    }
    await vi.waitFor(() => expect(a.router.stats().acknowledged + b.router.stats().acknowledged).toBe(24 + 2 * 72), { timeout: 15_000 });
    expect(a.router.stats().duplicates + b.router.stats().duplicates).toBe(60);
    expect(await storedByType(nats.url)).toMatchObject({ trade: 60, orderbook_delta: 24, orderbook_snapshot: 24 });
  });

  it.skipIf(natsBinary === undefined)('survives a NATS restart: pauses, retries with the same ids, nothing lost or doubled', async () => {
    // File storage, so the stream survives the restart.
    const g = await startGatherer(sim, nats.url, 'g1', undefined, { maxInFlight: 16, provision: {} });
    gatherers.push(g);
    await vi.waitFor(() => expect(g.router.stats().acknowledged).toBe(12), { timeout: 10_000 });
    for (const ticker of sim.markets) sim.publishTrade(ticker);
    await vi.waitFor(() => expect(g.router.stats().acknowledged).toBe(24), { timeout: 10_000 });
    await nats.kill();
    // While NATS is down the simulator keeps sending: 10 deltas and 2 trades per market.
    for (let round = 0; round < 10; round++) {
      for (const ticker of sim.markets) {
        sim.publishDelta(ticker);
        if (round % 5 === 0) sim.publishTrade(ticker);
      }
    }
    await vi.waitFor(() => expect(g.router.stats().inFlight).toBe(16), { timeout: 10_000 }); // stalled at the bound: the pool waits
    await vi.waitFor(() => expect(g.router.stats().retries).toBeGreaterThan(0), { timeout: 10_000 });
    await nats.restart();
    await vi.waitFor(() => expect(g.router.stats()).toMatchObject({ acknowledged: 24 + 120 + 24, inFlight: 0 }), { timeout: 25_000 });
    expect(g.router.stats().published).toBe(24 + 144);
    // Counted: every frame stored exactly once, although some were published twice (retries).
    expect(await storedByType(nats.url)).toEqual({ orderbook_snapshot: 12, trade: 36, orderbook_delta: 120 });
  }, 60_000);
});
