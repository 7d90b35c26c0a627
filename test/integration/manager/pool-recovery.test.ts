import { ClosedError } from 'kalshi-ws-pool';
import type { ReconnectedEvent } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { simConnectionOf, startPool, tickerOf, waitInSync } from './pool-helpers';
import type { Pool } from './pool-helpers';

let pool: Pool | undefined;
closeAfterEach();

async function killOne(mode: 'close' | 'destroy'): Promise<void> {
  pool = await startPool({ traffic: { orderbookDeltasPerSecond: 500 } });
  await waitInSync(pool.manager);
  const market = pool.sim.markets[0]!;
  const slot = pool.messages.find((m) => m.type === 'orderbook_snapshot' && tickerOf(m) === market)!.connectionId;
  const held = pool.manager.health().connections[slot - 1]!.markets;
  const reconnected: ReconnectedEvent[] = [];
  pool.manager.on('reconnected', (e) => reconnected.push(e));
  const handshakes = pool.sim.stats().handshakesAccepted;
  const after = pool.messages.length;
  expect(pool.sim.faults.drop({ connection: simConnectionOf(pool, market) }, { mode })).toBe(1);
  await vi.waitFor(() => expect(reconnected).toHaveLength(1), { timeout: 5_000 });
  await waitInSync(pool.manager);
  expect(reconnected[0]).toMatchObject({ connectionId: slot, role: 'orderbook', generation: 2 });
  expect(pool.sim.stats().handshakesAccepted).toBe(handshakes + 1);
  expect(pool.sim.connectionsHolding(market)).toHaveLength(1);
  const health = pool.manager.health();
  expect(health.connections[slot - 1]).toMatchObject({ state: 'open', markets: held, reconnects: 1 });
  expect(health).toMatchObject({ connected: 150, placed: 3_000 });
  // fresh snapshots for every market of the slot, and no false gaps on the new generation
  await vi.waitFor(() => {
    const snapshots = pool!.messages.slice(after).filter((m) => m.connectionId === slot && m.type === 'orderbook_snapshot');
    expect(new Set(snapshots.map(tickerOf)).size).toBe(held);
  });
  expect(pool.manager.stats().gaps).toBe(0);
}

describe('recovery against the simulator (150 connections)', () => {
  it('a cleanly closed orderbook connection comes back with all its markets and fresh snapshots', async () => {
    await killOne('close');
  });

  it('an abruptly destroyed orderbook connection comes back the same way', async () => {
    await killOne('destroy');
  });

  it('killing every connection recovers the whole pool, dialing under the admission limit', async () => {
    const dialsPerSecond = 400;
    const burst = 10;
    pool = await startPool({ traffic: { orderbookDeltasPerSecond: 500, tradesPerSecond: 50 } }, { admission: { dialsPerSecond, burst, jitterMs: 0 } });
    await waitInSync(pool.manager);
    const handshakes = pool.sim.stats().handshakesAccepted;
    const t0 = Date.now();
    expect(pool.sim.faults.drop({ connection: 'all' }, { mode: 'destroy' })).toBe(150);
    await vi.waitFor(() => expect(pool!.sim.stats().handshakesAccepted).toBe(handshakes + 150), { timeout: 10_000 });
    const elapsed = Date.now() - t0;
    await waitInSync(pool.manager);
    // 150 dials at 400/s with a burst of 10 cannot take less than (150 - 10) / 400 s
    expect(elapsed).toBeGreaterThanOrEqual(((150 - burst) / dialsPerSecond) * 1000 * 0.9);
    expect(pool.manager.health()).toMatchObject({ connected: 150, placed: 3_000, healthy: true });
    expect(pool.sim.stats().connectionsOpen).toBe(150);
    expect(pool.sim.stats().marketsSubscribed).toBe(3_000);
    expect(pool.manager.stats().reconnects.success).toBe(150);
  });

  it('an injected gap is flagged and repaired with get_snapshot', async () => {
    pool = await startPool();
    await waitInSync(pool.manager);
    const market = pool.sim.markets[5]!;
    const slot = pool.messages.find((m) => m.type === 'orderbook_snapshot' && tickerOf(m) === market)!.connectionId;
    const repairs = vi.fn();
    pool.manager.on('repair', repairs);
    const simConnection = simConnectionOf(pool, market);
    const sid = pool.manager.health().connections[slot - 1]!.sids[0]!;
    expect(pool.sim.faults.skipSeq({ connection: simConnection, sid }, 4)).toBe(1);
    pool.sim.publishDelta(market);
    await vi.waitFor(() => expect(repairs).toHaveBeenCalled());
    expect(repairs.mock.calls[0]![0]).toMatchObject({ connectionId: slot, sid, outcome: 'ok' });
    const flagged = pool.messages.filter((m) => m.seqGap);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatchObject({ connectionId: slot, sid, gapSize: 4, type: 'orderbook_delta' });
    expect(pool.sim.stats().commandsReceived['update_subscription']).toBeGreaterThanOrEqual(1);
    expect(pool.manager.stats()).toMatchObject({ gaps: 1, repairs: { ok: 1, failed: 0 } });
  });

  it('stop during reconnect exits cleanly with zero sockets', async () => {
    pool = await startPool({}, { reconnect: { initialDelayMs: 500, maxDelayMs: 1_000 } });
    pool.sim.faults.rejectHandshakes({ status: 500 });
    pool.sim.faults.drop({ connection: 'all' }, { mode: 'destroy' });
    await vi.waitFor(() => expect(pool!.manager.health().connected).toBe(0));
    const t0 = Date.now();
    await pool.manager.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
    await vi.waitFor(() => expect(pool!.sim.stats().connectionsOpen).toBe(0));
  });

  it('stop during start rejects start and leaves zero sockets', async () => {
    const { startSimulator } = await import('kalshi-ws-pool/testing');
    const { createConnectionManager, createKalshiSigner, createMemoryRegistry } = await import('kalshi-ws-pool');
    const sim = await startSimulator({ markets: 100, pingIntervalMs: 0 });
    try {
      const manager = createConnectionManager({
        url: sim.url,
        signer: createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey: sim.credentials!.privateKeyPem }),
        registry: createMemoryRegistry(sim.markets),
        admission: { dialsPerSecond: 100, burst: 10, jitterMs: 0 },
      });
      const starting = manager.start();
      await vi.waitFor(() => expect(sim.stats().handshakesAccepted).toBeGreaterThan(5));
      await manager.stop();
      await expect(starting).rejects.toBeInstanceOf(ClosedError);
      await vi.waitFor(() => expect(sim.stats().connectionsOpen).toBe(0));
    } finally {
      await sim.close();
    }
  });
});
