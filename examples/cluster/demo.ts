/**
 * `npm run demo:cluster`: NATS JetStream scale-out on one machine. Starts nats-server (from PATH, or uses
 * NATS_URL), the simulator, three gatherer processes (shards 0 and 1, plus a hot replica of shard 0) and a
 * merging consumer; kills the replica's twin mid-run and restarts it; prints messages/s per gatherer and at
 * the consumer, failovers and suppressed duplicates; then stops traffic and verifies that every market's
 * book at the consumer equals the simulator's and every trade arrived exactly once. Exit code 0 on success.
 *
 *   npm run demo:cluster -- --seconds 40 --markets 300
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createBookStore, formatPrice, formatSize } from 'kalshi-ws-pool/books';
import { createJetStreamSource } from 'kalshi-ws-pool/nats';
import { startSimulator } from 'kalshi-ws-pool/testing';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a number > 0`);
  return value;
};
const seconds = Math.max(20, arg('seconds', 40));
const marketCount = arg('markets', 300);
const until = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// 1. NATS: the user's (NATS_URL) or a fresh nats-server on a free loopback port.
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
let natsUrl = process.env['NATS_URL'];
let natsProcess: ChildProcess | undefined;
let natsDir: string | undefined;
if (natsUrl === undefined) {
  const binary = ['nats-server', '/usr/sbin/nats-server'].find((b) => spawnSync(b, ['--version']).status === 0);
  if (binary === undefined) {
    console.error('demo:cluster needs nats-server on PATH (apt-get install nats-server) or NATS_URL');
    process.exit(2);
  }
  const port = await freePort();
  natsDir = mkdtempSync(join(tmpdir(), 'kwp-demo-nats-'));
  natsProcess = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', natsDir], { stdio: 'ignore' });
  natsUrl = `nats://127.0.0.1:${port}`;
  await until(500);
}
console.log(`nats: ${natsUrl}`);

// 2. The simulator, with generated deltas and tickers; trades come from this script so they can be counted.
const sim = await startSimulator({ markets: marketCount, traffic: { orderbookDeltasPerSecond: 2_000, tickersPerSecond: 200 } });
const credentials = sim.credentials!;

// 3. Gatherer processes.
const gathererScript = fileURLToPath(new URL('./gatherer.ts', import.meta.url));
interface Proc {
  readonly id: string;
  readonly shard: number;
  child: ChildProcess | undefined;
  stats: { published: number; acknowledged: number; duplicates: number; retries: number; inFlight: number };
  lastPublished: number;
  base: number;
}
const procs: Proc[] = [
  { id: 's0-a', shard: 0 },
  { id: 's0-b', shard: 0 },
  { id: 's1-a', shard: 1 },
].map((p) => ({ ...p, child: undefined, stats: { published: 0, acknowledged: 0, duplicates: 0, retries: 0, inFlight: 0 }, lastPublished: 0, base: 0 }));
const retired = { published: 0, acknowledged: 0, duplicates: 0, retries: 0 };

function launch(p: Proc): Promise<void> {
  const args = ['--import', 'tsx', gathererScript, '--id', p.id, '--shard', String(p.shard), '--shards', '2', '--sim', sim.url, '--nats', natsUrl!, '--key-id', credentials.keyId, '--markets', sim.markets.join(',')];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KWP_SIM_PRIVATE_KEY: credentials.privateKeyPem } });
  p.child = child;
  p.stats = { published: 0, acknowledged: 0, duplicates: 0, retries: 0, inFlight: 0 };
  p.lastPublished = 0;
  return new Promise((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        p.stats = JSON.parse(line) as Proc['stats'];
        resolve();
      } catch {
        console.log(`[${p.id}] ${line}`);
      }
    });
  });
}
function kill(p: Proc): void {
  retired.published += p.stats.published;
  retired.acknowledged += p.stats.acknowledged;
  retired.duplicates += p.stats.duplicates;
  retired.retries += p.stats.retries;
  p.child?.kill('SIGKILL');
  p.child = undefined;
}
await launch(procs[0]!); // provisions the stream
await Promise.all(procs.slice(1).map(launch));
console.log('3 gatherers up: s0-a and s0-b (replicas of shard 0), s1-a (shard 1)');

// 4. The consumer.
const source = createJetStreamSource({ servers: natsUrl, deliver: 'all', silenceMs: 1_500 });
// The SDK's book store, fed the source's messages unchanged.
const books = createBookStore({ staleAfterMs: 60_000 });
const trades = new Map<string, number>();
let consumed = 0;
let lastConsumedAt = Date.now();
const reading = (async () => {
  for await (const m of source) {
    consumed++;
    lastConsumedAt = Date.now();
    books.apply(m);
    if (m.type === 'trade') {
      const id = /"trade_id":"([^"]+)"/.exec(Buffer.from(m.data).toString('utf8'))?.[1] ?? '?';
      trades.set(id, (trades.get(id) ?? 0) + 1);
    }
  }
})();

// 5. Trades, counted; a gatherer killed and restarted; a status line per second.
let tradesSent = 0;
const tradeTimer = setInterval(() => {
  for (let i = 0; i < 20; i++) {
    sim.publishTrade(sim.markets[(tradesSent * 7) % sim.markets.length]!);
    tradesSent++;
  }
}, 100);
const killAt = Math.floor(seconds * 0.3);
const restartAt = Math.floor(seconds * 0.5);
const quietAt = seconds - 8;
let lastConsumed = 0;
for (let t = 1; t <= quietAt; t++) {
  await until(1_000);
  if (t === killAt) {
    console.log('>>> kill -9 gatherer s0-a');
    kill(procs[0]!);
  }
  if (t === restartAt) {
    console.log('>>> restart gatherer s0-a');
    await launch(procs[0]!);
  }
  const rates = procs.map((p) => {
    const rate = p.child === undefined ? 'down' : `${p.stats.published - p.lastPublished}/s`;
    p.lastPublished = p.stats.published;
    return `${p.id} ${rate}`;
  });
  const s = source.stats();
  console.log(`t=${String(t).padStart(3)}s  ${rates.join('  ')}  | consumer ${consumed - lastConsumed}/s  failovers ${s.failovers}  duplicates suppressed ${procs.reduce((n, p) => n + p.stats.duplicates, retired.duplicates) + s.duplicates}`);
  lastConsumed = consumed;
}

// 6. Quiet: stop traffic, let everything drain, then verify against the simulator.
clearInterval(tradeTimer);
sim.setTraffic({ orderbookDeltasPerSecond: 0, tickersPerSecond: 0 });
const drainDeadline = Date.now() + 8_000;
while (Date.now() < drainDeadline && (Date.now() - lastConsumedAt < 1_500 || procs.some((p) => p.stats.inFlight > 0))) await until(200);

// Every market's book at the consumer must be live and equal to the simulator's own book.
const sameBook = (ticker: string): boolean => {
  const entry = books.get(ticker);
  const truth = sim.book(ticker);
  if (entry?.state !== 'live' || truth === undefined) return false;
  return (['yes', 'no'] as const).every(
    (side) => JSON.stringify(entry.book!.depth(side).map(([p, q]) => [formatPrice(p), formatSize(q)])) === JSON.stringify(truth[side]),
  );
};
const mismatched = sim.markets.filter((t) => !sameBook(t));
const doubled = [...trades.values()].filter((n) => n !== 1).length;
const s = source.stats();
const ok = mismatched.length === 0 && doubled === 0 && trades.size === tradesSent;
console.log(`failovers ${s.failovers}, consumer duplicates dropped ${s.duplicates}, router duplicates ${procs.reduce((n, p) => n + p.stats.duplicates, retired.duplicates)}, retries ${procs.reduce((n, p) => n + p.stats.retries, retired.retries)}`);
const b = books.stats();
console.log(`book store: ${b.live}/${b.markets} live, ${b.snapshots} snapshots, ${b.deltas} deltas, ${b.gaps} gaps, ${b.deltasIgnored} deltas ignored, ${b.inconsistentDeltas} inconsistent`);
console.log(
  `${ok ? 'VERIFIED' : 'FAILED'}: ${sim.markets.length - mismatched.length}/${sim.markets.length} books equal the simulator's; ` +
    `${trades.size}/${tradesSent} trades, ${doubled} delivered more than once`,
);
if (mismatched.length > 0) console.log(`mismatched: ${mismatched.slice(0, 5).join(', ')}${mismatched.length > 5 ? ', ...' : ''}`);

// 7. Tear down.
for (const p of procs) p.child?.kill('SIGTERM');
await source.close();
await reading.catch(() => undefined);
books.close();
await sim.close();
natsProcess?.kill('SIGKILL');
if (natsDir !== undefined) rmSync(natsDir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
