/**
 * The simulator, the pool and the book store: prints best yes bid/ask of the most active markets once a
 * second, with each book's state (a book hit by a gap shows its state, never stale prices), then exits.
 *
 *   npx tsx examples/top-of-book.ts --seconds 10
 */
import { createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import { createBookStore, formatPrice } from 'kalshi-ws-pool/books';
import type { BookEntry } from 'kalshi-ws-pool/books';
import { startSimulator } from 'kalshi-ws-pool/testing';

const at = process.argv.indexOf('--seconds');
const seconds = at === -1 ? 10 : Number(process.argv[at + 1]);
if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds takes a number > 0');

const sim = await startSimulator({ markets: 500, traffic: { orderbookDeltasPerSecond: 2_000 } });
const books = createBookStore();
const manager = createConnectionManager({
  url: sim.url,
  signer: createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey: sim.credentials!.privateKeyPem }),
  registry: createMemoryRegistry(sim.markets),
  layout: { ticker: 0, trade: 0, lifecycle: 1, orderbook: 4 },
  minHealthyConnections: 5,
  admission: { dialsPerSecond: 100, burst: 10, jitterMs: 0 },
  router: books,
});
manager.on('disconnected', (e) => books.invalidateConnection(e.connectionId));

// Activity per market since the last print.
const activity = new Map<string, number>();
books.onChange((entry) => activity.set(entry.ticker, (activity.get(entry.ticker) ?? 0) + 1));
const show = (p: number | undefined): string => (p === undefined ? '  -   ' : formatPrice(p));
const line = (e: BookEntry): string =>
  e.book === undefined ? `${e.ticker.padEnd(28)} ${e.state}` : `${e.ticker.padEnd(28)} ${show(e.book.bestYesBid())} / ${show(e.book.bestYesAsk())}  ${e.state}`;

await manager.start();
const timer = setInterval(() => {
  const top = [...activity.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  activity.clear();
  const s = books.stats();
  console.log(`-- ${s.live}/${s.markets} books live, ${s.deltas} deltas applied`);
  for (const [ticker] of top) console.log(line(books.get(ticker) ?? { ticker, state: 'awaiting-snapshot', book: undefined, updatedAt: 0, untrustedSince: 0, restAgeMs: undefined }));
}, 1_000);
await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
clearInterval(timer);
await manager.stop();
books.close();
await sim.close();
console.log('top-of-book: done');
