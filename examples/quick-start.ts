import { createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';

const sim = await startSimulator({ markets: 1_000, traffic: { orderbookDeltasPerSecond: 2_000, tradesPerSecond: 100 } });
const manager = createConnectionManager({
  url: sim.url,
  signer: createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey: sim.credentials!.privateKeyPem }),
  registry: createMemoryRegistry(sim.markets),
  layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook: 4 }, // the default is 2/2/2/144
});
await manager.start();
setTimeout(() => void manager.stop(), 3_000); // stop() ends the loop below once the queue is drained

const counts = new Map<string, number>();
for await (const message of manager) {
  if (message.seqGap) console.warn(`gap of ${message.gapSize} on connection ${message.connectionId}`);
  counts.set(message.type, (counts.get(message.type) ?? 0) + 1);
}
console.log(Object.fromEntries(counts));
await sim.close();
