/**
 * The seq tracker opens a sid on the synchronous `subscribed` event, but the slot book (or the role
 * subscription) learns it only when the `subscribe` promise resolves. Errors and gaps handled in that
 * window must still be acted on once the sid is known.
 */
import { createConnectionManager, createMemoryRegistry } from 'kalshi-ws-pool';
import type { ConnectionManager, RepairEvent } from 'kalshi-ws-pool';
import { createFakeClientFactory } from 'kalshi-ws-pool/testing';
import type { FakeClient } from 'kalshi-ws-pool/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

let manager: ConnectionManager | undefined;
afterEach(async () => {
  await manager?.stop();
  manager = undefined;
});

type Layout = { ticker: number; trade: number; lifecycle: number; orderbook: number };

function start(layout: Layout, configure: (client: FakeClient) => void): { fakes: ReturnType<typeof createFakeClientFactory>; manager: ConnectionManager } {
  const fakes = createFakeClientFactory({ client: { snapshots: true }, configure });
  manager = createConnectionManager({
    clientFactory: fakes.factory,
    registry: createMemoryRegistry(['A', 'B', 'C']),
    layout,
    minHealthyConnections: 1,
    admission: { dialsPerSecond: 10_000, burst: 100, jitterMs: 0 },
    commandsPerSecond: 100_000,
    reconnect: { initialDelayMs: 1, maxDelayMs: 5, randomize: false, stableAfterMs: 60_000 },
    closeTimeoutMs: 100,
    healthCheck: { intervalMs: 0 },
  });
  return { fakes, manager };
}

describe('subscribe reply settling after its sid was seen', () => {
  it('regression (terminal error before subscribe settled left a dead sid)', async () => {
    let injected = false;
    const { fakes, manager: m } = start({ ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 }, (client) => {
      client.on('subscribed', ({ sid, channel }) => {
        if (channel !== 'orderbook_delta' || injected) return;
        injected = true;
        // The server reports a channel error on the new sid in the same read as its `subscribed` reply.
        queueMicrotask(() => client.subscriptionError(sid, 25));
      });
    });
    await m.start();
    const client = fakes.latest(1)!;
    // The lost sid is replaced by a fresh subscription holding the markets, counted once.
    await vi.waitFor(() => expect(client.commands.filter((c) => c.cmd === 'subscribe')).toHaveLength(2));
    await vi.waitFor(() => expect(m.health().connections[0]).toMatchObject({ inSync: true, markets: 3 }));
    expect(m.stats().resubscribes).toBe(1);
    expect(client.subscriptions()).toHaveLength(1);
    const live = client.subscriptions()[0]!;
    expect(m.health().connections[0]!.sids).toEqual([live.sid]);
  });

  it('a global role subscription lost before its reply settled is redone', async () => {
    let injected = false;
    const { fakes, manager: m } = start({ ticker: 0, trade: 1, lifecycle: 0, orderbook: 0 }, (client) => {
      client.on('subscribed', ({ sid }) => {
        if (injected) return;
        injected = true;
        queueMicrotask(() => client.subscriptionError(sid, 10));
      });
    });
    await m.start();
    const client = fakes.latest(1)!;
    await vi.waitFor(() => expect(client.commands.filter((c) => c.cmd === 'subscribe')).toHaveLength(2));
    await vi.waitFor(() => expect(m.health().connections[0]!.sids).toHaveLength(1));
    expect(m.stats().resubscribes).toBe(1);
    expect(client.subscriptions()).toHaveLength(1);
    expect(m.health().connections[0]!.sids).toEqual([client.subscriptions()[0]!.sid]);
  });

  it('a gap seen before the book adopted the sid is repaired once it does', async () => {
    let skipped = false;
    const { fakes, manager: m } = start({ ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 }, (client) => {
      client.on('subscribed', ({ sid, channel }) => {
        if (channel !== 'orderbook_delta' || skipped) return;
        skipped = true;
        client.skipSeq(sid, 2); // the first snapshot, sent before the reply settles, shows a gap
      });
    });
    const repairs: RepairEvent[] = [];
    m.on('repair', (e) => repairs.push(e));
    await m.start();
    const client = fakes.latest(1)!;
    await vi.waitFor(() => expect(repairs).toHaveLength(1));
    expect(repairs[0]).toMatchObject({ outcome: 'ok', markets: 3, sid: client.subscriptions()[0]!.sid });
    expect(m.stats().gaps).toBe(1);
    expect(client.commands.filter((c) => c.action === 'get_snapshot').flatMap((c) => c.tickers).sort()).toEqual(['A', 'B', 'C']);
  });
});
