/**
 * One gatherer process of `npm run demo:cluster`: a small pool over one shard of the simulator's markets,
 * publishing to JetStream. Prints one JSON stats line per second on stdout.
 *
 *   tsx examples/cluster/gatherer.ts --id s0-a --shard 0 --shards 2 --sim ws://... --nats nats://...
 * The simulator's private key comes in KWP_SIM_PRIVATE_KEY (never on the command line).
 */
import { createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import { createJetStreamRouter, createShardedRegistry } from 'kalshi-ws-pool/nats';

const arg = (name: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : process.argv[at + 1];
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
};
const markets = arg('markets').split(',');
const router = createJetStreamRouter({ servers: arg('nats'), gathererId: arg('id'), provision: {}, ackTimeoutMs: 1_000, maxRetryDelayMs: 500 });
await router.start();
const manager = createConnectionManager({
  url: arg('sim'),
  signer: createKalshiSigner({ keyId: arg('key-id'), privateKey: process.env['KWP_SIM_PRIVATE_KEY'] ?? '' }),
  registry: createShardedRegistry(createMemoryRegistry(markets), { shard: Number(arg('shard')), shards: Number(arg('shards')) }),
  router,
  layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook: 2 },
  admission: { dialsPerSecond: 100, burst: 10, jitterMs: 0 },
  reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
});
await manager.start();
const report = (): void => console.log(JSON.stringify({ id: router.gathererId, ...router.stats() }));
report();
const timer = setInterval(report, 1_000);
const stop = async (): Promise<void> => {
  clearInterval(timer);
  await manager.stop();
  await router.stop();
  report();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
