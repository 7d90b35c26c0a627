/**
 * With overflow 'pause' (the default), a command sent while reads are paused cannot see its reply.
 * The pool waits for reads to resume before sending, and a timeout across a pause is retried without
 * counting: a consumer that is merely slow must never make the pool recycle a healthy connection.
 */
import { createConnectionManager, createKalshiClient, createMemoryRegistry } from 'kalshi-ws-pool';
import type { CommandEvent, DisconnectedEvent } from 'kalshi-ws-pool';
import { expect, it, vi } from 'vitest';
import { consume, signerFor, simulatorForTest } from '../../helpers/simulator';
import { closeAfterEach, stopAfterTest } from '../../helpers/teardown';

closeAfterEach();

it('regression (paused pool timed out commands and recycled healthy connections)', async () => {
  const sim = await simulatorForTest({ markets: 400, pingIntervalMs: 0, traffic: { orderbookDeltasPerSecond: 2_000 } });
  const signer = signerFor(sim);
  const all = [...sim.markets];
  const registry = createMemoryRegistry(all.slice(0, 200));
  const url = sim.url;
  const manager = stopAfterTest(createConnectionManager({
    registry,
    layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 },
    minHealthyConnections: 1,
    queue: { capacity: 100, lowWaterMark: 10, overflow: 'pause' },
    admission: { dialsPerSecond: 1_000, burst: 10, jitterMs: 0 },
    commandsPerSecond: 1_000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100, stableAfterMs: 60_000 },
    closeTimeoutMs: 200,
    healthCheck: { intervalMs: 0 },
    clientFactory: ({ connectionId }) =>
      createKalshiClient({ url, signer, connectionId, commandTimeoutMs: 300, staleAfterMs: 30_000, closeTimeoutMs: 200 }),
  }));
  await manager.start();
  const disconnects: DisconnectedEvent[] = [];
  const timeouts: CommandEvent[] = [];
  manager.on('disconnected', (e) => disconnects.push(e));
  manager.on('command', (e) => {
    if (e.outcome === 'timeout') timeouts.push(e);
  });
  // Nobody reads: the queue fills and the pool pauses socket reads.
  await vi.waitFor(() => expect(manager!.health().paused).toBe(true), { timeout: 3_000 });
  // Markets keep arriving while paused (normal at start-up and on lifecycle churn).
  registry.add(...all.slice(200));
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect(manager.health().paused).toBe(true); // still only a slow consumer
  const summary = {
    timeouts: timeouts.map((e) => `${e.cmd}${e.action === undefined ? '' : `:${e.action}`}`),
    disconnects: disconnects.map((e) => e.kind),
  };
  expect(summary).toEqual({ timeouts: [], disconnects: [] });
  // The consumer catches up: reads resume and the markets that waited are added on the same connection.
  const reader = consume(manager.batches(512));
  await vi.waitFor(() => expect(manager!.health().connections.find((c) => c.role === 'orderbook')?.markets).toBe(400), { timeout: 5_000 });
  expect(disconnects).toEqual([]);
  await manager.stop();
  await reader;
}, 15_000);
