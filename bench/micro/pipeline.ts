/**
 * In-process cost of the SDK's own layers per frame, without sockets: a manager over fake clients
 * (`kalshi-ws-pool/testing`), each fed bench deltas in bursts of `--burst` frames (one socket read's
 * worth), read with `for await` (or `batches()`). Frames come from a ring of 4 bursts of buffers per
 * connection, their seq digits rewritten in place (read before reuse, so no allocation of ours is
 * measured) and are scanned, sequence-checked, wrapped and queued exactly as from a socket; only `ws`
 * is missing. `--baseline` writes the same buffers and drops them: subtract it. Prints ns per frame.
 *
 *   npx tsx bench/micro/pipeline.ts [--frames 400000] [--connections 8] [--burst 350] [--rounds 5] [--batches | --baseline]
 *   node --cpu-prof --import tsx bench/micro/pipeline.ts     # profile just the pipeline
 */
import { createConnectionManager, createMemoryRegistry } from 'kalshi-ws-pool';
import type { RawMessage } from 'kalshi-ws-pool';
import { createFakeClientFactory } from 'kalshi-ws-pool/testing';
import { deltaFrame } from '../lib/frames';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const frames = flag('frames', 400_000);
const connections = flag('connections', 8);
const burst = flag('burst', 350);
const rounds = flag('rounds', 5);
const batches = process.argv.includes('--batches');
const baseline = process.argv.includes('--baseline');
const FIRST = 100_000_000;
/** Where the baseline puts each frame, so the buffer writes are not optimized away. */
export let sink: Uint8Array | undefined;

async function round(): Promise<number> {
  const fakes = createFakeClientFactory({ client: { snapshots: true } });
  const markets = Array.from({ length: connections }, (_, i) => `M-${i}`);
  const manager = createConnectionManager({
    clientFactory: fakes.factory,
    registry: createMemoryRegistry(markets),
    layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: connections },
    marketsPerConnection: 1,
    minHealthyConnections: connections,
    queue: { capacity: 1_000_000 },
  });
  await manager.start();
  const clients = Array.from({ length: connections }, (_, i) => fakes.latest(i + 1)!);
  const sids = clients.map((client) => client.sidOf('orderbook_delta')!);
  const perClient = Math.ceil(frames / connections);
  // Pre-encode: seq continues after the fake's snapshot (seq 1).
  // Seq starts at FIRST (9 digits, so every frame has the same length): one gap per connection.
  const rings = clients.map((_, c) => Array.from({ length: burst * 4 }, () => Buffer.from(deltaFrame(sids[c]!, FIRST, 1))));
  const seqEnd = rings[0]![0]!.indexOf(String(FIRST)) + String(FIRST).length;
  let seen = 0;
  let gaps = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const total = perClient * connections;
  const count = (m: RawMessage): void => {
    if (m.seqGap) gaps++;
    if (m.type === 'orderbook_delta' && ++seen === total) done();
  };
  const loop = batches
    ? (async () => {
        for await (const batch of manager.batches()) for (const m of batch) count(m);
      })()
    : (async () => {
        for await (const m of manager) count(m);
      })();
  const started = process.hrtime.bigint();
  for (let k = 0; k < perClient; k += burst) {
    for (let c = 0; c < connections; c++) {
      const client = clients[c]!;
      const ring = rings[c]!;
      const at = Date.now(); // one arrival time per read, as the real client stamps them
      const end = Math.min(perClient, k + burst);
      for (let j = k; j < end; j++) {
        const bytes = ring[j % ring.length]!;
        for (let at = seqEnd - 1, v = FIRST + j; v > 0; at--, v = Math.floor(v / 10)) bytes[at] = 0x30 + (v % 10);
        if (baseline) sink = bytes;
        else client.inject(bytes, at);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  if (!baseline) await finished;
  const ns = Number(process.hrtime.bigint() - started) / total;
  await manager.stop();
  await loop;
  if (!baseline && gaps !== connections) throw new Error(`expected ${connections} gaps, saw ${gaps}`);
  return ns;
}

const results: number[] = [];
for (let r = 0; r < rounds; r++) results.push(await round());
console.log(
  `pipeline ${baseline ? 'baseline' : batches ? 'batches' : 'for-await'} ${connections} conns burst ${burst}: min ${Math.min(...results).toFixed(0)} ns/frame, ` +
    `all ${results.map((n) => n.toFixed(0)).join(' ')}`,
);
