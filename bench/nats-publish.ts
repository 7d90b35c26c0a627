/**
 * Router publish rate vs a plain JetStream publish loop (same window of 256 unacknowledged publishes) on one
 * nats-server. Not yet a bench/run.ts scenario.  npx tsx bench/nats-publish.ts [--frames 20000]
 * Needs nats-server on PATH or NATS_URL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { RawMessage } from 'kalshi-ws-pool';
import { createJetStreamRouter } from 'kalshi-ws-pool/nats';

const at = process.argv.indexOf('--frames');
const frames = at === -1 ? 20_000 : Number(process.argv[at + 1]);
const port = 20_000 + Math.floor(Math.random() * 20_000);
const dir = mkdtempSync(join(tmpdir(), 'kwp-bench-nats-'));
const server = process.env['NATS_URL'] === undefined ? spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], { stdio: 'ignore' }) : undefined;
const url = process.env['NATS_URL'] ?? `nats://127.0.0.1:${port}`;
await new Promise((r) => setTimeout(r, 700));

const body = (i: number): Uint8Array => Buffer.from(`{"type":"orderbook_delta","sid":1,"seq":${i},"msg":{"market_ticker":"KX-EV-M${i % 500}","price_dollars":"0.5000","delta_fp":"1.00","side":"yes"}}`);
const router = createJetStreamRouter({ servers: url, gathererId: 'bench', provision: { storage: 'memory' } });
await router.start();
let t0 = performance.now();
for (let i = 1; i <= frames; i++) {
  const m: RawMessage = { data: body(i), connectionId: 1, receivedAt: Date.now(), type: 'orderbook_delta', sid: 1, seq: i, seqGap: false, gapSize: 0 };
  const p = router.route(m);
  if (p !== undefined) await p;
}
while (router.stats().inFlight > 0) await new Promise((r) => setTimeout(r, 5));
const routerRate = frames / ((performance.now() - t0) / 1_000);
await router.stop();

const nc = await connect({ servers: url });
const js = jetstream(nc);
const inFlight = new Set<Promise<unknown>>();
t0 = performance.now();
for (let i = 1; i <= frames; i++) {
  const p = js.publish(`kalshi.orderbook_delta.KX-EV-M${i % 500}`, body(i), { msgID: `plain.${i}` }).finally(() => inFlight.delete(p));
  inFlight.add(p);
  if (inFlight.size >= 256) await Promise.race(inFlight);
}
await Promise.all(inFlight);
const plainRate = frames / ((performance.now() - t0) / 1_000);
await nc.close();
server?.kill('SIGKILL');
rmSync(dir, { recursive: true, force: true });
console.log(`frames ${frames}: router ${Math.round(routerRate)}/s, plain JetStream loop ${Math.round(plainRate)}/s, ratio ${(routerRate / plainRate).toFixed(2)}`);
