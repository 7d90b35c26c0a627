import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_SIGN_PATH, createKalshiSigner } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import { connect } from './helpers';

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe('close', () => {
  it('closes every socket, timer and the server, idempotently', async () => {
    const before = resources();
    const sim = await startSimulator({ markets: 20, pingIntervalMs: 20, traffic: { orderbookDeltasPerSecond: 1000 } });
    const clients = await Promise.all([connect(sim), connect(sim), connect(sim)]);
    for (const c of clients) c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: sim.markets.slice(0, 5) });
    await clients[0]!.waitFor((f) => f.type === 'orderbook_delta', 10);
    // A delayed command leaves a pending timer that close() must clear.
    sim.faults.delayReplies({}, 10_000);
    for (const c of clients) c.send('list_subscriptions');
    await expect.poll(() => sim.stats().commandsReceived['list_subscriptions']).toBe(3);
    const closed = clients.map((c) => new Promise<void>((resolve) => c.ws.once('close', () => resolve())));
    await Promise.all([sim.close(), sim.close()]);
    await sim.close();
    await Promise.all(closed);
    expect(sim.connections().every((x) => !x.open)).toBe(true);
    expect(sim.stats().connectionsOpen).toBe(0);
    await expect.poll(() => {
      const after = resources();
      return ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'].every((kind) => (after[kind] ?? 0) <= (before[kind] ?? 0));
    }).toBe(true);
    // Nothing listens any more.
    const ws = new WebSocket(sim.url);
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('error'));
    });
    expect(outcome).toBe('error');
  });
});

describe('CLI', () => {
  it('prints the URL, key id and key file, serves signed clients, and exits cleanly on SIGTERM', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const keyOut = `${root}.tmp-sim-key-${process.pid}.pem`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/simulator.ts', '--port', '0', '--markets', '50', '--rate', '200', '--key-out', keyOut], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await expect.poll(() => out, { timeout: 15_000 }).toMatch(/key file:/);
      const url = /websocket: (\S+)/.exec(out)![1]!;
      const keyId = /key id:\s+(\S+)/.exec(out)![1]!;
      expect(out).toMatch(/markets:\s+50/);
      expect(statSync(keyOut).mode & 0o777).toBe(0o600);
      const headers = await createKalshiSigner({ keyId, privateKey: readFileSync(keyOut, 'utf8') }).headers('GET', WS_SIGN_PATH);
      const ws = new WebSocket(url, { headers: { ...headers } });
      const frames: string[] = [];
      ws.on('message', (d) => frames.push(d.toString()));
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      ws.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: 'KXBTCD-26AUG1900-T89999.99' } }));
      await expect.poll(() => frames.some((f) => f.includes('"orderbook_delta"'))).toBe(true);
      ws.terminate();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(keyOut, { force: true });
    }
  });
});
