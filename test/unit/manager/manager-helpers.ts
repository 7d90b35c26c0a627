import { createConnectionManager, createMemoryRegistry } from 'kalshi-ws-pool';
import type { ConnectionManager, ConnectionManagerEvents, ConnectionManagerOptions, ManagerEventName, MemoryRegistry, RawMessage } from 'kalshi-ws-pool';
import { createFakeClientFactory } from 'kalshi-ws-pool/testing';
import type { FakeClient, FakeClientFactory } from 'kalshi-ws-pool/testing';
import { vi } from 'vitest';
import { closeAfterTest } from '../../helpers/teardown';

/** Small layout: slots 1-2 ticker, 3-4 trade, 5-6 lifecycle, 7-9 orderbook. */
export const SMALL_LAYOUT = { ticker: 2, trade: 2, lifecycle: 2, orderbook: 3 } as const;

/** One orderbook slot and nothing else. */
export const ONE_BOOK = { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 } as const;

export interface Harness {
  manager: ConnectionManager;
  fakes: FakeClientFactory;
  registry: MemoryRegistry;
}

type Extra = Partial<Omit<ConnectionManagerOptions, 'clientFactory' | 'url' | 'signer' | 'client' | 'registry'>>;

export function harness(
  markets: string[] = [],
  extra: Extra = {},
  factoryOptions: Parameters<typeof createFakeClientFactory>[0] = { client: { snapshots: false } },
): Harness {
  const fakes = createFakeClientFactory(factoryOptions);
  const registry = createMemoryRegistry(markets);
  const manager = createConnectionManager({
    clientFactory: fakes.factory,
    registry,
    layout: SMALL_LAYOUT,
    admission: { dialsPerSecond: 10_000, burst: 1_000, jitterMs: 0 },
    commandsPerSecond: 100_000,
    reconnect: { initialDelayMs: 1, maxDelayMs: 5, randomize: false, stableAfterMs: 60_000 },
    closeTimeoutMs: 100,
    ...extra,
  } as ConnectionManagerOptions);
  return { manager, fakes, registry };
}

const EVENT_NAMES = [
  'connected',
  'disconnected',
  'reconnecting',
  'reconnected',
  'gap',
  'repair',
  'resubscribed',
  'degraded',
  'error',
  'unplaced',
  'command',
] as const satisfies readonly ManagerEventName[];

/** The payload of a manager event. */
export type EventOf<E extends ManagerEventName> = Parameters<ConnectionManagerEvents[E]>[0];

/** A harness whose manager is stopped after the test (the file calls `closeAfterEach()`) and whose events are all recorded. */
export interface RecordedHarness extends Harness {
  /** Every `name` event emitted since the manager was built, oldest first (a live array). */
  events<E extends ManagerEventName>(name: E): EventOf<E>[];
}

/** Like {@link harness}, but stopped after the test and recording every event from the start. */
export function recordedHarness(markets: string[] = [], extra: Extra = {}): RecordedHarness {
  const built = harness(markets, extra);
  const seen = new Map<ManagerEventName, unknown[]>();
  for (const name of EVENT_NAMES) {
    const list: unknown[] = [];
    seen.set(name, list);
    built.manager.on(name, (event: unknown) => list.push(event));
  }
  closeAfterTest({ close: () => built.manager.stop() });
  return { ...built, events: <E extends ManagerEventName>(name: E) => seen.get(name) as EventOf<E>[] };
}

/** A recorded harness, started; `client` is slot 1's fake client. */
export interface StartedHarness extends RecordedHarness {
  client: FakeClient;
}

/**
 * {@link recordedHarness}, started and settled. With `fakeTimers` (after `vi.useFakeTimers()`) start() is driven by
 * advancing the fake clock 1 ms instead, and nothing waits for the books to settle.
 */
export async function startedHarness(markets: string[] = [], extra: Extra = {}, fakeTimers = false): Promise<StartedHarness> {
  const built = recordedHarness(markets, extra);
  const starting = built.manager.start();
  if (fakeTimers) await vi.advanceTimersByTimeAsync(1);
  await starting;
  if (!fakeTimers) await settled(built.manager);
  return { ...built, client: built.fakes.latest(1)! };
}

export function tickers(n: number, prefix = 'MKT'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
}

/** Wait until every orderbook slot's book is in sync (no pending commands). */
export async function settled(manager: ConnectionManager): Promise<void> {
  await vi.waitFor(
    () => {
      const health = manager.health();
      const busy = health.connections.some((c) => c.state === 'open' && !c.inSync);
      if (busy || health.pendingCommands > 0) throw new Error('not settled');
      const rolesDown = health.connections.some((c) => c.role !== 'orderbook' && c.state === 'open' && c.sids.length === 0);
      if (rolesDown) throw new Error('role subscription pending');
    },
    { timeout: 2_000, interval: 2 },
  );
}

/** Orderbook sid of a slot's latest fake client. */
export function obSid(client: FakeClient | undefined): number {
  const sid = client?.sidOf('orderbook_delta');
  if (sid === undefined) throw new Error('no orderbook sid');
  return sid;
}

/** Read up to `n` queued messages without blocking forever. */
export async function take(manager: ConnectionManager, n: number, timeoutMs = 1_000): Promise<RawMessage[]> {
  const out: RawMessage[] = [];
  const iterator = manager.messages();
  const deadline = Date.now() + timeoutMs;
  try {
    while (out.length < n && Date.now() < deadline) {
      const next = await Promise.race([
        iterator.next(),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(1, deadline - Date.now()))),
      ]);
      if (next === 'timeout' || next.done === true) break;
      out.push(next.value);
    }
  } finally {
    await iterator.return?.();
  }
  return out;
}

export const text = (m: RawMessage): string => new TextDecoder().decode(m.data);
