// The first hour of a new user (#14.7): a busy metrics port, a wrong key path, a recording with no --out,
// the simulator CLI with no flags. Each prints one clear line (no stack) or does the sensible thing.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_SIGN_PATH, createKalshiSigner } from 'kalshi-ws-pool';
import { envWithoutCredentials, killExamples, repoRoot, runExample, runScript } from './run-example';
import type { RunningExample } from './run-example';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  // Cleanups first: they stop the simulator CLI with SIGTERM, so it deletes its key file; then SIGKILL stragglers.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await killExamples();
});

/** A TCP server holding a loopback port, closed after the test. */
async function busyPort(): Promise<number> {
  const holder: Server = createServer();
  await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
  cleanups.push(() => new Promise<void>((done) => holder.close(() => done())));
  return (holder.address() as { port: number }).port;
}

const STACK_LINE = /^\s+at /m;

describe('a busy metrics port', () => {
  it('npm start (simulated.ts) names the port and the flag, exits 1, prints no stack', async () => {
    const port = await busyPort();
    const run = runExample('simulated.ts', ['--seconds', '1', '--metrics-port', String(port)]);
    expect(await run.exited).toBe(1);
    const stderr = run.stderr().trim();
    expect(stderr).toBe(
      `port ${port} on 127.0.0.1 is already in use: pass another with --metrics-port, e.g. \`npm start -- --metrics-port ${port + 1}\` (--metrics-port 0 picks any free port)`,
    );
    expect(stderr).not.toMatch(STACK_LINE);
  });

  it('npm start with a port that is not a number says so in one line and exits 2', async () => {
    const run = runExample('simulated.ts', ['--metrics-port', 'abc']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toBe('--metrics-port takes a number >= 0, got abc\n');
  });

  it('prometheus.ts names the port and --port, exits 1, prints no stack', async () => {
    const port = await busyPort();
    const run = runExample('prometheus.ts', ['--port', String(port), '--seconds', '1']);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(new RegExp(`^port ${port} on 127\\.0\\.0\\.1 is already in use: pass another with --port, .*--port 0 picks any free port\\)\\n$`));
    expect(run.stderr()).not.toMatch(STACK_LINE);
    expect(run.stdout()).toBe('');
  });
});

describe('live.ts with a wrong key path', () => {
  it('exits 2 with one line naming the variable and the resolved path, no ENOENT stack', async () => {
    const run = runExample('live.ts', [], { ...envWithoutCredentials(), KALSHI_API_KEY_ID: 'key-id-123', KALSHI_PRIVATE_KEY_PATH: './no-such-key.pem' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toBe(`cannot read the private key: KALSHI_PRIVATE_KEY_PATH=./no-such-key.pem (no such file: ${resolve(repoRoot, 'no-such-key.pem')})\n`);
  });

  it('exits 2 when the path is a directory', async () => {
    const run = runExample('live.ts', [], { ...envWithoutCredentials(), KALSHI_API_KEY_ID: 'key-id-123', KALSHI_PRIVATE_KEY_PATH: tmpdir() });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/^cannot read the private key: KALSHI_PRIVATE_KEY_PATH=.* \(it is a directory: .*\)\n$/);
  });
});

describe('record-jsonl.ts without --out', () => {
  it('writes into a fresh directory under the OS temp directory, says where, and leaves the repo alone', async () => {
    const inRepo = join(repoRoot, 'recording.jsonl');
    const existed = existsSync(inRepo);
    if (!existed) cleanups.push(() => rmSync(inRepo, { force: true })); // only ever a file this test made
    const run = runExample('record-jsonl.ts', ['--seconds', '1']);
    expect(await run.exited).toBe(0);
    const path = /^recording to (\S+) \(rotated at \d+ bytes\)$/m.exec(run.stdout())?.[1];
    expect(path).toBeDefined();
    cleanups.push(() => rmSync(dirname(path!), { recursive: true, force: true }));
    expect(dirname(dirname(path!))).toBe(tmpdir());
    expect(statSync(path!).size).toBeGreaterThan(0);
    expect(run.stdout()).toContain(`file(s): ${path!}`);
    expect(existsSync(inRepo)).toBe(existed);
  });

  it('recording*.jsonl is ignored by git', () => {
    expect(readFileSync(join(repoRoot, '.gitignore'), 'utf8').split('\n')).toContain('recording*.jsonl');
  });
});

/** Starts the CLI on a free port and returns its URL and credentials once it printed them. */
async function startCli(args: string[]): Promise<{ run: RunningExample; url: string; keyId: string; keyFile: string; privateKey: string }> {
  const run = runScript('src/cli/simulator.ts', ['--port', '0', ...args], process.env, 30_000);
  cleanups.push(async () => {
    // SIGTERM so the CLI deletes its generated key file; killExamples SIGKILLs a straggler.
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
    await run.exited;
  });
  await expect.poll(() => run.stdout(), { timeout: 20_000, interval: 50 }).toMatch(/key file:\s+\S+/);
  const keyFile = /key file:\s+(\S+)/.exec(run.stdout())![1]!;
  return { run, url: /websocket: (\S+)/.exec(run.stdout())![1]!, keyId: /key id:\s+(\S+)/.exec(run.stdout())![1]!, keyFile, privateKey: readFileSync(keyFile, 'utf8') };
}

/** Connects, subscribes to a few orderbook markets plus trade and ticker, and collects the frame types. */
async function subscribe(cli: { url: string; keyId: string; privateKey: string }, markets: string[]): Promise<{ types: string[]; ws: WebSocket }> {
  const headers = await createKalshiSigner({ keyId: cli.keyId, privateKey: cli.privateKey }).headers('GET', WS_SIGN_PATH);
  const ws = new WebSocket(cli.url, { headers: { ...headers } });
  cleanups.push(() => ws.terminate());
  const types: string[] = [];
  ws.on('message', (data) => types.push(String((JSON.parse(data.toString()) as { type: unknown }).type)));
  await new Promise((done, fail) => {
    ws.once('open', done);
    ws.once('error', fail);
  });
  ws.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: markets } }));
  ws.send(JSON.stringify({ id: 2, cmd: 'subscribe', params: { channels: ['trade', 'ticker'] } }));
  return { types, ws };
}

describe('kalshi-ws-pool-sim with no traffic flags', () => {
  it('serves a modest default traffic (deltas, trades, tickers) and says so', async () => {
    const cli = await startCli([]);
    expect(cli.run.stdout()).toMatch(/traffic:\s+200 deltas\/s, 20 trades\/s, 50 tickers\/s, 0 lifecycle\/s \(totals; --quiet-traffic for none\)/);
    const { types } = await subscribe(cli, ['KXBTCD-26AUG1900-T89999.99']);
    await expect.poll(() => ['orderbook_delta', 'trade', 'ticker'].every((type) => types.includes(type)), { timeout: 10_000, interval: 50 }).toBe(true);
    cli.run.child.kill('SIGTERM');
    expect(await cli.run.exited).toBe(0);
    expect(existsSync(cli.keyFile)).toBe(false);
  });

  it('--quiet-traffic serves acks and snapshots only', async () => {
    const cli = await startCli(['--quiet-traffic', '--markets', '20']);
    expect(cli.run.stdout()).toMatch(/traffic:\s+none/);
    const { types, ws } = await subscribe(cli, ['KXBTCD-26AUG1900-T89999.99']);
    await expect.poll(() => types.filter((t) => t === 'subscribed').length, { timeout: 10_000 }).toBe(3);
    await expect.poll(() => types.includes('orderbook_snapshot'), { timeout: 10_000 }).toBe(true);
    // Round trips for one second (200 deltas/s would have sent about 200 by then): each answer proves
    // that anything generated before it has already arrived.
    const since = Date.now();
    for (let round = 0; round < 500 && Date.now() - since < 1_000; round++) {
      const answered = types.length + 1;
      ws.send(JSON.stringify({ id: 10 + round, cmd: 'list_subscriptions' }));
      await expect.poll(() => types.length, { timeout: 5_000, interval: 5 }).toBeGreaterThanOrEqual(answered);
    }
    expect(types.filter((t) => ['orderbook_delta', 'trade', 'ticker'].includes(t))).toEqual([]);
  });

  it('--help documents the defaults and --quiet-traffic', async () => {
    const run = runScript('src/cli/simulator.ts', ['--help']);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/--rate N\s+orderbook deltas per second, total \(default 200\)/);
    expect(run.stdout()).toMatch(/--quiet-traffic\s+no generated traffic/);
  });
});
