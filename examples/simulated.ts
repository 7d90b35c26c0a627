/**
 * `npm start`: the whole pool against the local simulator. 20,000 markets with traffic, the default
 * 150-connection layout, a live status line, scheduled faults that heal, a summary, then exit.
 * Admission is faster than the production default (10 dials/s) so the demo starts in a second.
 *
 *   npm start -- --seconds 120
 */
import { createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';

const flag = process.argv.indexOf('--seconds');
const seconds = flag === -1 ? 45 : Number(process.argv[flag + 1]);
if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds takes a positive number');

const sim = await startSimulator({
  markets: 20_000,
  pingIntervalMs: 10_000,
  traffic: { orderbookDeltasPerSecond: 20_000, tradesPerSecond: 1_000, tickersPerSecond: 2_000, lifecyclePerSecond: 2 },
});
const registry = createMemoryRegistry(sim.markets);
const manager = createConnectionManager({
  url: sim.url,
  signer: createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey: sim.credentials!.privateKeyPem }),
  registry,
  admission: { dialsPerSecond: 200, burst: 20, jitterMs: 50 }, // demo speed; production default is 10/s
  reconnect: { initialDelayMs: 250, maxDelayMs: 5_000 },
});
const events = { gaps: 0, repairs: 0, reconnects: 0, disconnects: 0 };
manager.on('gap', () => events.gaps++);
manager.on('repair', () => events.repairs++);
manager.on('reconnected', () => events.reconnects++);
manager.on('disconnected', () => events.disconnects++);
manager.on('error', ({ connectionId, error, fatal }) => console.error(`error on ${connectionId ?? '-'}${fatal ? ' (fatal)' : ''}: ${error.message}`));

const started = Date.now();
await manager.start();
console.log(`pool up in ${Date.now() - started} ms: ${manager.health().connected} connections against ${sim.url}`);

// Read everything; count per second. A real consumer would parse message.data here.
let count = 0;
const reading = (async () => {
  for await (const message of manager) {
    count++;
    if (message.seqGap) console.log(`  flagged gap of ${message.gapSize} on connection ${message.connectionId} sid ${message.sid ?? '-'}`);
  }
})();

/** The simulator connection holding the orderbook sid of some market (its ids are the simulator's own). */
const holderOf = (index: number): number => sim.connectionsHolding(sim.markets[index]!)[0] ?? 1;
const faults: [number, string, () => void][] = [
  [8, 'drop one orderbook connection (close frame)', () => sim.faults.drop({ connection: holderOf(0) }, { mode: 'close' })],
  [14, 'inject a gap of 5 on one orderbook sid', () => sim.faults.skipSeq({ connection: holderOf(100) }, 5)],
  [20, 'destroy 10 orderbook sockets abruptly', () => { for (let i = 0; i < 10; i++) sim.faults.drop({ connection: holderOf(i * 1_500 + 7) }, { mode: 'destroy' }); }],
  [28, 'error 25 (slow reader) on one sid', () => sim.faults.sidError({ connection: holderOf(4_000) }, 25)],
];
const timers = faults
  .filter(([at]) => at < seconds)
  .map(([at, what, run]) => setTimeout(() => { console.log(`>>> fault: ${what}`); run(); }, at * 1_000));

let last = 0;
const status = setInterval(() => {
  const h = manager.health();
  const s = manager.stats();
  const rate = count - last;
  last = count;
  console.log(
    `${String(Math.round((Date.now() - started) / 1000)).padStart(3)}s | ${String(rate).padStart(6)} msg/s | healthy ${h.connected}/${h.total}` +
      ` | placed ${h.placed} unplaced ${h.unplaced} | gaps ${s.gaps} repairs ${s.repairs.ok}/${s.repairs.ok + s.repairs.failed}` +
      ` | disconnects ${events.disconnects} reconnects ${s.reconnects.success} | resubscribes ${s.resubscribes} | queue ${h.queueDepth}`,
  );
}, 1_000);

await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
clearInterval(status);
for (const timer of timers) clearTimeout(timer);
await manager.stop();
await reading;
const s = manager.stats();
const h = manager.health();
const socketsLeft = sim.stats().connectionsOpen;
await sim.close();
console.log('--- summary ---');
console.log(`messages delivered ${s.messagesDelivered} (${Math.round(s.messagesDelivered / seconds)}/s), redundant copies dropped ${s.redundantDrops}`);
console.log(`gaps ${s.gaps} (${s.gapMessages} messages), repairs ok ${s.repairs.ok} failed ${s.repairs.failed}, resubscribes ${s.resubscribes}`);
console.log(`disconnects ${events.disconnects}, reconnects ${s.reconnects.success} (failed dials ${s.reconnects.failed}), queue drops ${s.queueDrops}`);
console.log(`markets placed ${h.placed}, unplaced ${h.unplaced}; commands sent ${s.commands.sent}; sockets open at the simulator after stop: ${socketsLeft}`);
