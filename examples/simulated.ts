/**
 * `npm start`: the whole pool against the local simulator. 20,000 markets with traffic, the default
 * 150-connection layout, a live status line, scheduled faults that heal, Prometheus metrics on
 * http://127.0.0.1:9464/metrics (watch them move with `curl`), a summary, then exit.
 * Admission is faster than the production default (10 dials/s) so the demo starts in a second.
 *
 *   npm start -- --seconds 120 --metrics-port 9464
 *
 * When 9464 is taken it says so and exits 1: pass `--metrics-port N` (`0` picks any free port).
 */
import { createServer } from 'node:http';
import { createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import { registerPrometheusMetrics } from 'kalshi-ws-pool/prometheus';
import { startSimulator } from 'kalshi-ws-pool/testing';
import { register } from 'prom-client';
import { listenOrExit } from './listen-or-exit';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} takes a number >= 0, got ${String(process.argv[at + 1])}`);
    process.exit(2);
  }
  return value;
};
const seconds = arg('seconds', 45);

// Bind the metrics port first, so a busy port fails fast, before 20,000 markets are generated.
const server = createServer((req, res) => {
  if (req.url !== '/metrics') return void res.writeHead(404).end();
  void register.metrics().then((text) => res.writeHead(200, { 'content-type': register.contentType }).end(text));
});
const port = await listenOrExit(server, arg('metrics-port', 9464), { flag: '--metrics-port', command: 'npm start --' });

const traffic = { orderbookDeltasPerSecond: 20_000, tradesPerSecond: 1_000, tickersPerSecond: 2_000, lifecyclePerSecond: 2 };
const sim = await startSimulator({ markets: 20_000, traffic });
const manager = createConnectionManager({
  url: sim.url,
  signer: createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey: sim.credentials!.privateKeyPem }),
  registry: createMemoryRegistry(sim.markets),
  admission: { dialsPerSecond: 200, burst: 20, jitterMs: 50 }, // demo speed; production default is 10/s
  reconnect: { initialDelayMs: 250, maxDelayMs: 5_000 },
});
registerPrometheusMetrics(manager);
manager.on('error', ({ connectionId, error, fatal }) => console.error(`error on ${connectionId ?? '-'}${fatal ? ' (fatal)' : ''}: ${error.message}`));

const started = Date.now();
await manager.start();
console.log(`pool up in ${Date.now() - started} ms: ${manager.health().connected} connections against ${sim.url}`);
console.log(`metrics: http://127.0.0.1:${port}/metrics`);

// Read everything; count. A real consumer would parse message.data here.
let count = 0;
const reading = (async () => {
  for await (const m of manager) if (++count && m.seqGap) console.log(`  flagged gap of ${m.gapSize} on connection ${m.connectionId} sid ${m.sid ?? '-'}`);
})();

/** The simulator connection holding the orderbook sid of some market (its ids are the simulator's own). */
const holderOf = (index: number): number => sim.connectionsHolding(sim.markets[index]!)[0] ?? 1;
const faults: [number, string, () => void][] = [
  [8, 'drop one orderbook connection (close frame)', () => sim.faults.drop({ connection: holderOf(0) }, { mode: 'close' })],
  [14, 'inject a gap of 5 on one orderbook sid', () => sim.faults.skipSeq({ connection: holderOf(100) }, 5)],
  [20, 'destroy 10 orderbook sockets abruptly', () => { for (let i = 0; i < 10; i++) sim.faults.drop({ connection: holderOf(i * 1_500 + 7) }, { mode: 'destroy' }); }],
  [28, 'error 25 (slow reader) on one sid', () => sim.faults.sidError({ connection: holderOf(4_000) }, 25)],
];
const timers = faults.filter(([at]) => at < seconds).map(([at, what, run]) => setTimeout(() => { console.log(`>>> fault: ${what}`); run(); }, at * 1_000));

let last = 0;
const status = setInterval(() => {
  const [h, s] = [manager.health(), manager.stats()];
  console.log(
    `${String(Math.round((Date.now() - started) / 1000)).padStart(3)}s | ${String(count - last).padStart(6)} msg/s | healthy ${h.connected}/${h.total}` +
      ` | placed ${h.placed} unplaced ${h.unplaced} | gaps ${s.gaps} repairs ${s.repairs.ok}/${s.repairs.ok + s.repairs.failed}` +
      ` | reconnects ${s.reconnects.success} | resubscribes ${s.resubscribes} | queue ${h.queueDepth}`,
  );
  last = count;
}, 1_000);

await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
clearInterval(status);
for (const timer of timers) clearTimeout(timer);
await manager.stop();
await reading;
await new Promise((resolve) => server.close(resolve));
const [s, h, socketsLeft] = [manager.stats(), manager.health(), sim.stats().connectionsOpen];
await sim.close();
console.log(`--- summary ---
messages delivered ${s.messagesDelivered} (${Math.round(s.messagesDelivered / seconds)}/s), redundant copies dropped ${s.redundantDrops}
gaps ${s.gaps} (${s.gapMessages} messages), repairs ok ${s.repairs.ok} failed ${s.repairs.failed}, resubscribes ${s.resubscribes}
reconnects ${s.reconnects.success} (failed dials ${s.reconnects.failed}), queue drops ${s.queueDrops}, markets placed ${h.placed}, unplaced ${h.unplaced}
commands sent ${s.commands.sent}; sockets open at the simulator after stop: ${socketsLeft}`);
