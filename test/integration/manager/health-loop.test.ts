import { createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import type { ConnectionManager, DegradedEvent } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

let sim: Simulator | undefined;
let manager: ConnectionManager | undefined;
afterEach(async () => {
  await manager?.stop();
  await sim?.close();
  manager = undefined;
  sim = undefined;
});

describe('health loop against the simulator', () => {
  it('a silenced connection is reported degraded after 3 checks, and all-clear once it talks again', async () => {
    sim = await startSimulator({ markets: 40, pingIntervalMs: 50 });
    const { keyId, privateKeyPem } = sim.credentials!;
    manager = createConnectionManager({
      url: sim.url,
      signer: createKalshiSigner({ keyId, privateKey: privateKeyPem }),
      registry: createMemoryRegistry(sim.markets),
      layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook: 2 },
      admission: { dialsPerSecond: 1_000, burst: 50, jitterMs: 0 },
      client: { staleAfterMs: 60_000 }, // the health loop must notice before the client would give up
      healthCheck: { intervalMs: 150, failuresBeforeDegraded: 3 },
      closeTimeoutMs: 500,
    });
    const events: DegradedEvent[] = [];
    manager.on('degraded', (e) => events.push(e));
    await manager.start();
    await vi.waitFor(() => expect(manager!.health().connections.every((c) => c.inSync && c.sids.length === 1)).toBe(true), { timeout: 10_000 });
    // Healthy pool: a few ticks without any event.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events).toEqual([]);

    const silenced = sim.connectionsHolding(sim.markets[0]!)[0]!;
    sim.faults.silence({ connection: silenced });
    await vi.waitFor(() => expect(events).toHaveLength(1), { timeout: 5_000 });
    expect(events[0]).toMatchObject({ scope: 'connection', healthy: false, role: 'orderbook', reason: 'silent', consecutiveFailures: 3 });
    const slot = events[0]!.connectionId!;
    expect(manager.health().connections[slot - 1]).toMatchObject({ state: 'open', degraded: true });

    sim.faults.unsilence({ connection: silenced });
    await vi.waitFor(() => expect(events).toHaveLength(2), { timeout: 5_000 });
    expect(events[1]).toMatchObject({ scope: 'connection', healthy: true, connectionId: slot, consecutiveFailures: 0 });
    expect(manager.health().connections[slot - 1]!.degraded).toBe(false);
  });
});
