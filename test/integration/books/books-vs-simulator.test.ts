import { createConnectionManager, createMemoryRegistry } from 'kalshi-ws-pool';
import type { ConnectionManager } from 'kalshi-ws-pool';
import { createBookStore, createKalshiRestBookFetcher, formatPrice, formatSize } from 'kalshi-ws-pool/books';
import type { BookStore } from 'kalshi-ws-pool/books';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { describe, expect, it, vi } from 'vitest';
import { bookMismatches } from '../../helpers/books';
import { consume, signerFor, stopReadClose } from '../../helpers/simulator';
import { closeAfterEach, closeAfterTest } from '../../helpers/teardown';

interface Rig {
  sim: Simulator;
  manager: ConnectionManager;
  books: BookStore;
  close(): Promise<void>;
}

let rig: Rig | undefined;
closeAfterEach();

/** Simulator, manager and book store; closed after the test. */
async function startRig(markets = 400): Promise<Rig> {
  const sim = await startSimulator({ markets, pingIntervalMs: 0, traffic: { orderbookDeltasPerSecond: 3_000 } });
  const registry = createMemoryRegistry(sim.markets);
  const manager = createConnectionManager({
    url: sim.url,
    signer: signerFor(sim),
    registry,
    layout: { ticker: 0, trade: 0, lifecycle: 1, orderbook: 4 },
    minHealthyConnections: 5,
    admission: { dialsPerSecond: 1_000, burst: 10, jitterMs: 0 },
    commandsPerSecond: 2_000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200, stableAfterMs: 60_000 },
    closeTimeoutMs: 1_000,
  });
  const books = createBookStore({ staleAfterMs: 60_000 });
  manager.on('disconnected', (e) => books.invalidateConnection(e.connectionId));
  await manager.start();
  const reading = consume(manager, (message) => books.apply(message));
  return closeAfterTest({
    sim,
    manager,
    books,
    close: () => stopReadClose(manager, reading, books, sim),
  });
}

/** Every open simulator market has a live book equal to the simulator's own book. */
function expectEqualBooks(r: Rig): void {
  const wrong = bookMismatches(r.books, r.sim);
  expect(wrong.slice(0, 5), `${wrong.length} markets differ`).toEqual([]);
}

async function quietThenCompare(r: Rig): Promise<void> {
  r.sim.setTraffic({});
  await vi.waitFor(() => expectEqualBooks(r), { timeout: 15_000, interval: 100 });
}

describe('books from the pool equal the simulator books', () => {
  it('after traffic, injected gaps, killed connections, unsolicited snapshots and lifecycle changes', async () => {
    rig = await startRig();
    const r = rig;
    await vi.waitFor(() => expect(r.books.stats().deltas).toBeGreaterThan(2_000), { timeout: 15_000 });
    await quietThenCompare(r);

    // Gaps on every sid: books go untrusted, the manager repairs with get_snapshot, books come back live.
    r.sim.setTraffic({ orderbookDeltasPerSecond: 3_000 });
    const gapsBefore = r.books.stats().gaps;
    r.sim.faults.skipSeq({ connection: 'all' }, 3);
    await vi.waitFor(() => expect(r.books.stats().gaps).toBeGreaterThan(gapsBefore), { timeout: 10_000 });
    await quietThenCompare(r);

    // Killed connections: deltas are lost while down; resubscription snapshots re-trust the books.
    r.sim.setTraffic({ orderbookDeltasPerSecond: 3_000 });
    const victim = r.sim.connectionsHolding(r.sim.markets[0]!)[0]!;
    r.sim.faults.drop({ connection: victim }, { mode: 'destroy' });
    await vi.waitFor(() => expect(r.books.get(r.sim.markets[0]!)?.state).not.toBe('live'), { timeout: 5_000 }).catch(() => undefined);
    await quietThenCompare(r);

    // Unsolicited snapshots mid-stream replace books; lifecycle ends drop books.
    r.sim.setTraffic({ orderbookDeltasPerSecond: 3_000 });
    for (let i = 0; i < 20; i++) r.sim.faults.sendSnapshot({ connection: 'all' });
    const ended = r.sim.markets[5]!;
    r.sim.removeMarket(ended, 'settled');
    await vi.waitFor(() => expect(r.books.get(ended)).toBeUndefined(), { timeout: 5_000 });
    await quietThenCompare(r);
    expect(r.books.stats().inconsistentDeltas).toBe(0);
  });

  it('serves stale books from the REST backup, marked rest with their age, until a stream snapshot', async () => {
    rig = await startRig(40);
    const r = rig;
    const ticker = r.sim.markets[0]!;
    await vi.waitFor(() => expect(r.books.get(ticker)?.state).toBe('live'), { timeout: 10_000 });
    r.sim.setTraffic({});
    // The package's own REST transport (loopback http is allowed without the insecure opt-in).
    const fetchBook = createKalshiRestBookFetcher({ baseUrl: r.sim.restUrl });
    const books = createBookStore({ staleAfterMs: 50, rest: { fetchBook, requestsPerSecond: 50 } });
    try {
      // A delta with no snapshot: flagged, then stale, then loaded over REST.
      const data = new TextEncoder().encode(
        JSON.stringify({ type: 'orderbook_delta', sid: 1, seq: 1, msg: { market_ticker: ticker, price_dollars: '0.0100', delta_fp: '1.00', side: 'yes' } }),
      );
      books.apply({ data, connectionId: 1, type: 'orderbook_delta', sid: 1, seq: 1, seqGap: false });
      expect(books.get(ticker)!.state).toBe('awaiting-snapshot');
      await vi.waitFor(() => expect(books.get(ticker)!.state).toBe('rest'), { timeout: 5_000 });
      const entry = books.get(ticker)!;
      expect(entry.restAgeMs).toBeGreaterThanOrEqual(0);
      const truth = r.sim.book(ticker)!;
      expect(entry.book!.depth('yes').map(([p, s]) => [formatPrice(p), formatSize(s)])).toEqual(truth.yes);
      expect(entry.book!.depth('no').map(([p, s]) => [formatPrice(p), formatSize(s)])).toEqual(truth.no);
      expect(books.stats().restRequests).toBeLessThanOrEqual(10);
    } finally {
      books.close();
    }
  });
});
