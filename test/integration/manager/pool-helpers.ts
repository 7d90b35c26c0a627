import { createConnectionManager, createMemoryRegistry } from 'kalshi-ws-pool';
import type { ConnectionManager, ConnectionManagerOptions, MemoryRegistry, RawMessage } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator, SimulatorOptions } from 'kalshi-ws-pool/testing';
import { vi } from 'vitest';
import { consume, signerFor, stopReadClose } from '../../helpers/simulator';
import { closeAfterTest } from '../../helpers/teardown';

export interface Pool {
  sim: Simulator;
  manager: ConnectionManager;
  registry: MemoryRegistry;
  /** Every message read so far (when `collect` was started). */
  messages: RawMessage[];
  /** Stop reading, stop the manager, close the simulator. */
  close(): Promise<void>;
}

type Extra = Partial<Omit<ConnectionManagerOptions, 'clientFactory' | 'url' | 'signer' | 'registry'>>;

/** The full default layout (150 connections) with fast admission and short reconnect delays; closed after the test (the file calls `closeAfterEach()`). */
export async function startPool(simOptions: SimulatorOptions = {}, extra: Extra = {}, collect = true): Promise<Pool> {
  const sim = await startSimulator({ markets: 3_000, pingIntervalMs: 0, ...simOptions });
  const registry = createMemoryRegistry(sim.markets);
  const manager = createConnectionManager({
    url: sim.url,
    signer: signerFor(sim),
    registry,
    admission: { dialsPerSecond: 1_000, burst: 150, jitterMs: 0 },
    commandsPerSecond: 2_000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200, stableAfterMs: 60_000 },
    closeTimeoutMs: 1_000,
    ...extra,
  } as ConnectionManagerOptions);
  const messages: RawMessage[] = [];
  let reading: Promise<void> = Promise.resolve();
  const pool: Pool = {
    sim,
    manager,
    registry,
    messages,
    close: () => stopReadClose(manager, reading, sim),
  };
  try {
    await manager.start();
  } catch (error) {
    await sim.close();
    throw error;
  }
  if (collect) reading = consume(manager, (message) => messages.push(message));
  return closeAfterTest(pool);
}

/** Until every orderbook slot is open and holds what placement gave it, and every global slot is subscribed. */
export async function waitInSync(manager: ConnectionManager, timeout = 15_000): Promise<void> {
  await vi.waitFor(
    () => {
      const health = manager.health();
      for (const c of health.connections) {
        if (c.state === 'failed') continue;
        if (c.state !== 'open' || !c.inSync || c.sids.length === 0) throw new Error(`connection ${c.connectionId} not in sync`);
        if (c.role === 'orderbook' && c.markets !== c.placed) throw new Error(`connection ${c.connectionId} holds ${c.markets}/${c.placed}`);
      }
    },
    { timeout, interval: 20 },
  );
}

const decoder = new TextDecoder();
/** `msg.market_ticker` of a message (test-side parsing only). */
export function tickerOf(message: RawMessage): string | undefined {
  const parsed = JSON.parse(decoder.decode(message.data)) as { msg?: { market_ticker?: string } };
  return parsed.msg?.market_ticker;
}

/** The simulator connection id holding the orderbook sid of pool slot `connectionId` (found through one of its markets). */
export function simConnectionOf(pool: Pool, market: string): number {
  const [id] = pool.sim.connectionsHolding(market);
  if (id === undefined) throw new Error(`no connection holds ${market}`);
  return id;
}
