/**
 * Real Kalshi: REST-discovered open markets streamed over a small pool (Kalshi publishes no connection
 * limit, so the default here is 1 ticker + 1 trade + 1 lifecycle + 4 orderbook connections).
 *
 *   KALSHI_API_KEY_ID=… KALSHI_PRIVATE_KEY_PATH=./key.pem KALSHI_ENV=demo \
 *     node --import tsx examples/live.ts --orderbook-connections 4 --series KXBTC,KXETH --seconds 60
 *
 * Exit codes: 0 done, 1 other failure, 2 credentials missing or unreadable (no key file, not a PEM),
 * 3 credentials rejected (AuthError).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AuthError, KALSHI_REST_URLS, PoolStartError, createConnectionManager, createKalshiRestRegistry, createKalshiSigner } from 'kalshi-ws-pool';

const WS_URLS = { demo: 'wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2', prod: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2' };
const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
};
function fail(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}

const env = process.env['KALSHI_ENV'] ?? 'demo';
if (env !== 'demo' && env !== 'prod') fail(2, `KALSHI_ENV must be demo or prod, got ${env}`);
const keyId = process.env['KALSHI_API_KEY_ID'];
const keyPath = process.env['KALSHI_PRIVATE_KEY_PATH'];
/** The PEM at KALSHI_PRIVATE_KEY_PATH; a missing or unreadable file is a credentials problem (exit 2), not a crash. */
function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(code);
    fail(2, `cannot read the private key: KALSHI_PRIVATE_KEY_PATH=${path} (${why}: ${resolve(path)})`);
  }
}
const privateKey = process.env['KALSHI_PRIVATE_KEY'] ?? (keyPath === undefined || keyPath === '' ? undefined : readKeyFile(keyPath));
if (keyId === undefined || keyId === '' || privateKey === undefined || privateKey === '') {
  fail(2, 'missing credentials: set KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PATH (or KALSHI_PRIVATE_KEY); KALSHI_ENV=demo|prod (default demo)');
}
let signer: ReturnType<typeof createKalshiSigner>;
try {
  signer = createKalshiSigner({ keyId, privateKey });
} catch (error) {
  fail(2, `unusable private key: ${error instanceof Error ? error.message : String(error)}`);
}
const series = arg('series')?.split(',').filter((s) => s !== '');
const orderbook = Number(arg('orderbook-connections') ?? 4);

const registry = createKalshiRestRegistry({
  baseUrl: env === 'prod' ? KALSHI_REST_URLS.production : KALSHI_REST_URLS.demo,
  signer,
  ...(series === undefined ? {} : { filter: { seriesPrefixes: series } }),
});
const manager = createConnectionManager({
  url: WS_URLS[env as 'demo' | 'prod'],
  signer,
  registry,
  layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook },
  minHealthyConnections: Math.ceil((orderbook + 3) / 2),
});
manager.on('error', ({ connectionId, error, fatal }) => console.error(`connection ${connectionId ?? '-'}${fatal ? ' (fatal)' : ''}: ${error.message}`));

try {
  await manager.start();
} catch (error) {
  const auth = error instanceof AuthError || (error instanceof PoolStartError && error.failures.some((f) => f.error instanceof AuthError));
  if (auth) fail(3, `credentials rejected by Kalshi ${env}: check the key id, the private key and KALSHI_ENV (demo and prod keys differ)`);
  fail(1, `could not start: ${error instanceof Error ? error.message : String(error)}`);
}

let count = 0;
const reading = (async () => {
  for await (const message of manager) count += message.data.length > 0 ? 1 : 0;
})();
const status = setInterval(() => {
  const [h, s] = [manager.health(), manager.stats()];
  console.log(`${env} | connected ${h.connected}/${h.total} | markets ${h.placed} (+${h.unplaced} unplaced) | messages ${count} | gaps ${s.gaps} | reconnects ${s.reconnects.success}`);
}, 5_000);

const seconds = Number(arg('seconds') ?? 0); // 0: until Ctrl-C
await new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  if (seconds > 0) setTimeout(resolve, seconds * 1_000).unref();
});
clearInterval(status);
await manager.stop();
await reading;
console.log(`stopped after ${count} messages`);
