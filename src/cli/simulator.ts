/**
 * `kalshi-ws-pool-sim`: run the Kalshi market-data simulator standalone.
 *
 *   kalshi-ws-pool-sim --port 8080 --markets 5000 --rate 2000 [--public-key PATH ...] [--key-id ID] [--key-out PATH]
 *
 * With no rate flags it serves a modest default traffic (CLI_TRAFFIC_DEFAULTS), so a client that connects
 * sees updates after its snapshots; `--quiet-traffic` (or each rate at 0) turns it off.
 *
 * Without --public-key it generates a key pair, writes the private key PEM (mode 0600, exclusive create) to
 * --key-out or to a fresh private directory under the OS temp directory, prints the key id and that path,
 * and deletes the file again on close or exit. Ctrl-C / SIGTERM close it cleanly.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../testing/simulator/simulator';
import type { SimulatorOptions } from '../testing/simulator/options';

/**
 * Traffic the CLI serves when no rate flag is given: totals per second, shared by every subscribed market.
 * (The library's `startSimulator` defaults to no traffic; a person trying the CLI wants to see updates.)
 */
const CLI_TRAFFIC_DEFAULTS = Object.freeze({ orderbookDeltasPerSecond: 200, tradesPerSecond: 20, tickersPerSecond: 50, lifecyclePerSecond: 0 });

const USAGE = `Usage: kalshi-ws-pool-sim [options]

  --host HOST            interface to listen on (default 127.0.0.1)
  --port N               port (default 8080; 0 = any free port)
  --markets N            generated markets (default 5000)
  --rate N               orderbook deltas per second, total (default ${CLI_TRAFFIC_DEFAULTS.orderbookDeltasPerSecond})
  --trades N             trades per second, total (default ${CLI_TRAFFIC_DEFAULTS.tradesPerSecond})
  --tickers N            ticker updates per second, total (default ${CLI_TRAFFIC_DEFAULTS.tickersPerSecond})
  --lifecycle N          market churn events per second (default ${CLI_TRAFFIC_DEFAULTS.lifecyclePerSecond})
  --quiet-traffic        no generated traffic: every rate above defaults to 0 (explicit rate flags still apply);
                         clients get acks and snapshots only
  --ping-interval MS     heartbeat ping interval (default 10000, 0 = off)
  --public-key PATH      trusted public key PEM (repeatable); default: generate a key pair
  --key-id ID            only accept this KALSHI-ACCESS-KEY
  --key-out PATH         where to write the generated private key (default: a fresh private temp dir; deleted on exit)
  --max-markets-per-sub N    error 26 beyond N markets on one subscription
  --max-commands-per-sec N   error 27 beyond N commands per second on one subscription
  --max-connections-per-key N  HTTP 429 beyond N connections per key
  -h, --help             this text`;

function number(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    console.error(`--${name}: expected a number >= 0, got ${value}`);
    process.exit(2);
  }
  return parsed;
}

let keyFile: string | undefined;
let privateDir: string | undefined;

/** Deletes the generated key file (and its private directory); safe to call twice. */
function removeKeyFile(): void {
  if (keyFile !== undefined) rmSync(keyFile, { force: true });
  if (privateDir !== undefined) rmSync(privateDir, { recursive: true, force: true });
  keyFile = privateDir = undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      markets: { type: 'string' },
      rate: { type: 'string' },
      trades: { type: 'string' },
      tickers: { type: 'string' },
      lifecycle: { type: 'string' },
      'quiet-traffic': { type: 'boolean' },
      'ping-interval': { type: 'string' },
      'public-key': { type: 'string', multiple: true },
      'key-id': { type: 'string' },
      'key-out': { type: 'string' },
      'max-markets-per-sub': { type: 'string' },
      'max-commands-per-sec': { type: 'string' },
      'max-connections-per-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const inf = Number.POSITIVE_INFINITY;
  const rates = values['quiet-traffic'] === true ? { orderbookDeltasPerSecond: 0, tradesPerSecond: 0, tickersPerSecond: 0, lifecyclePerSecond: 0 } : CLI_TRAFFIC_DEFAULTS;
  const traffic = {
    orderbookDeltasPerSecond: number('rate', values.rate, rates.orderbookDeltasPerSecond),
    tradesPerSecond: number('trades', values.trades, rates.tradesPerSecond),
    tickersPerSecond: number('tickers', values.tickers, rates.tickersPerSecond),
    lifecyclePerSecond: number('lifecycle', values.lifecycle, rates.lifecyclePerSecond),
  };
  const options: SimulatorOptions = {
    host: values.host ?? '127.0.0.1',
    port: number('port', values.port, 8080),
    markets: number('markets', values.markets, 5000),
    pingIntervalMs: number('ping-interval', values['ping-interval'], 10_000),
    traffic,
    limits: {
      marketsPerSubscription: number('max-markets-per-sub', values['max-markets-per-sub'], inf),
      commandsPerSecondPerSubscription: number('max-commands-per-sec', values['max-commands-per-sec'], inf),
      connectionsPerKey: number('max-connections-per-key', values['max-connections-per-key'], inf),
    },
    ...(values['key-id'] === undefined ? {} : { keyId: values['key-id'] }),
    ...(values['public-key'] === undefined ? {} : { publicKeys: values['public-key'].map((path) => readFileSync(path, 'utf8')) }),
  };
  const sim = await startSimulator(options);
  console.log(`kalshi-ws-pool-sim listening`);
  console.log(`  websocket: ${sim.url}`);
  console.log(`  rest:      ${sim.restUrl}/markets`);
  console.log(`  markets:   ${sim.markets.length}`);
  const t = traffic;
  console.log(
    t.orderbookDeltasPerSecond + t.tradesPerSecond + t.tickersPerSecond + t.lifecyclePerSecond === 0
      ? '  traffic:   none (acks and snapshots only; drop --quiet-traffic or pass --rate N for updates)'
      : `  traffic:   ${t.orderbookDeltasPerSecond} deltas/s, ${t.tradesPerSecond} trades/s, ${t.tickersPerSecond} tickers/s, ${t.lifecyclePerSecond} lifecycle/s (totals; --quiet-traffic for none)`,
  );
  if (sim.credentials !== undefined) {
    // A fresh private directory (mode 0700, unpredictable name) and an exclusive create (`wx`: fails if
    // anything, a symlink included, is already there) with mode 0600; no chmod that could follow a link.
    if (values['key-out'] === undefined) privateDir = mkdtempSync(join(tmpdir(), 'kalshi-ws-pool-sim-'));
    const keyOut = values['key-out'] ?? join(privateDir!, 'private-key.pem');
    writeFileSync(keyOut, sim.credentials.privateKeyPem, { mode: 0o600, flag: 'wx' });
    keyFile = keyOut;
    console.log(`  key id:    ${sim.credentials.keyId}`);
    console.log(`  key file:  ${keyOut}`);
  }
  let stopping = false;
  process.once('exit', removeKeyFile);
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    removeKeyFile();
    console.log(`${signal}: closing`);
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const busy = (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
  console.error(error instanceof Error ? error.message : error);
  if (busy) console.error('pass another port with --port N (--port 0 picks any free port)');
  process.exit(1);
});
