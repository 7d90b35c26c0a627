/**
 * A minimal Prometheus `/metrics` endpoint next to a connection manager (here fed by the local
 * simulator; swap in your url, signer and registry). Scrape it, or:
 *
 *   node --import tsx examples/prometheus.ts --port 9464 --seconds 60
 *   curl -s http://127.0.0.1:9464/metrics | grep ws_client_messages_received_total
 *
 * When the port is taken it says so and exits 1: pass `--port N` (`0` picks any free port).
 * Needs `prom-client` (an optional peer dependency of kalshi-ws-pool).
 */
import { createServer } from 'node:http';
import { createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import { registerPrometheusMetrics } from 'kalshi-ws-pool/prometheus';
import { startSimulator } from 'kalshi-ws-pool/testing';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { listenOrExit } from './listen-or-exit';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};

// A registry of our own (the global `register` works too): pool metrics plus Node's default ones.
const registry = new Registry();
collectDefaultMetrics({ register: registry });

// Bind the port before anything else starts, so a busy port fails fast with a one-line hint.
const server = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/metrics') return void res.writeHead(404).end('not found\n');
  registry.metrics().then(
    (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
    (error: unknown) => res.writeHead(500).end(String(error)),
  );
});
const port = await listenOrExit(server, arg('port', 9464), { flag: '--port', command: 'node --import tsx examples/prometheus.ts' });

const sim = await startSimulator({ markets: 500, pingIntervalMs: 1_000, traffic: { orderbookDeltasPerSecond: 500, tradesPerSecond: 50 } });
const manager = createConnectionManager({
  url: sim.url,
  signer: createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey: sim.credentials!.privateKeyPem }),
  registry: createMemoryRegistry(sim.markets),
  layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook: 4 },
});
const metrics = registerPrometheusMetrics(manager, { registry });
await manager.start();
console.log(`metrics: http://127.0.0.1:${port}/metrics`);

// Consume the stream (metrics only count; a real gatherer would parse message.data).
const reading = (async () => {
  for await (const message of manager) void message;
})();

const seconds = arg('seconds', 0); // 0: until Ctrl-C
await new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
  if (seconds > 0) setTimeout(resolve, seconds * 1_000).unref();
});
await manager.stop();
await reading;
metrics.unregister();
server.closeAllConnections();
await new Promise((resolve) => server.close(resolve));
await sim.close();
console.log('stopped');
