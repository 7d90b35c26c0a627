/**
 * A gap repair used to take every held market, including those whose `delete_markets` was in flight.
 * Kalshi (and the simulator) skip markets the sid no longer holds, so the get_snapshot waited for one
 * snapshot too many, timed out, and the remaining batches were never sent.
 */
import { createConnectionManager, createKalshiClient, createMemoryRegistry } from 'kalshi-ws-pool';
import type { RepairEvent } from 'kalshi-ws-pool';
import { expect, it, vi } from 'vitest';
import { consume, signerFor, simulatorForTest } from '../../helpers/simulator';
import { closeAfterEach, stopAfterTest } from '../../helpers/teardown';

closeAfterEach();

it('regression (repair racing a delete timed out and skipped the rest)', async () => {
  const sim = await simulatorForTest({ markets: 30, pingIntervalMs: 0 });
  const signer = signerFor(sim);
  const markets = [...sim.markets];
  const registry = createMemoryRegistry(markets);
  const url = sim.url;
  const manager = stopAfterTest(createConnectionManager({
    registry,
    layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 },
    minHealthyConnections: 1,
    repair: { batchSize: 10 },
    admission: { dialsPerSecond: 1_000, burst: 10, jitterMs: 0 },
    commandsPerSecond: 1_000,
    closeTimeoutMs: 200,
    healthCheck: { intervalMs: 0 },
    clientFactory: ({ connectionId }) => createKalshiClient({ url, signer, connectionId, commandTimeoutMs: 500, closeTimeoutMs: 200 }),
  }));
  const repairs: RepairEvent[] = [];
  manager.on('repair', (e) => repairs.push(e));
  await manager.start();
  const drain = consume(manager);
  await vi.waitFor(() => expect(manager!.health().connections[0]).toMatchObject({ inSync: true, markets: 30 }));
  const [conn] = sim.connections().filter((c) => c.open).map((c) => c.id);
  // The next frame on the sid (the delete's `ok`) shows a gap while the delete is still in flight.
  sim.faults.skipSeq({ connection: conn! }, 2);
  registry.remove(markets[0]!);
  await vi.waitFor(() => expect(repairs).toHaveLength(1), { timeout: 3_000 });
  expect(repairs[0]).toMatchObject({ outcome: 'ok', markets: 29 });
  await manager.stop();
  await drain;
}, 10_000);
