import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { envWithoutCredentials, killExamples, runExample } from './run-example';

const dirs: string[] = [];
afterEach(async () => {
  await killExamples();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('examples', () => {
  it('live.ts exits 2 with a clear message when credentials are missing', async () => {
    const run = runExample('live.ts', [], envWithoutCredentials());
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/missing credentials: set KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PATH \(or KALSHI_PRIVATE_KEY\)/);
  });

  it('live.ts exits 2 for an unusable private key without echoing it', async () => {
    const run = runExample('live.ts', [], { ...envWithoutCredentials(), KALSHI_API_KEY_ID: 'key-id-123', KALSHI_PRIVATE_KEY: 'not-a-pem-SECRET' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/unusable private key/);
    expect(run.stderr() + run.stdout()).not.toContain('SECRET');
  });

  it('record-jsonl.ts records valid JSON lines, rotated by size, flushed on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kwp-rec-'));
    dirs.push(dir);
    const maxBytes = 50_000;
    const run = runExample('record-jsonl.ts', ['--out', join(dir, 'rec.jsonl'), '--max-bytes', String(maxBytes), '--seconds', '2']);
    expect(await run.exited).toBe(0);
    const recorded = Number(/recorded (\d+) messages/.exec(run.stdout())?.[1]);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(1); // rotated
    let lines = 0;
    for (const file of files) {
      const path = join(dir, file);
      expect(statSync(path).size).toBeLessThanOrEqual(maxBytes);
      const text = readFileSync(path, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.split('\n').filter((l) => l !== '')) {
        const record = JSON.parse(line) as Record<string, unknown>;
        expect(Object.keys(record)).toEqual(['connectionId', 'receivedAt', 'seqGap', 'gapSize', 'frame']);
        expect(record['frame']).toHaveProperty('type');
        lines++;
      }
    }
    expect(lines).toBe(recorded); // every message flushed
    expect(lines).toBeGreaterThan(100);
  });

  it('prometheus.ts serves /metrics with the metric names, and the counters move', async () => {
    const run = runExample('prometheus.ts', ['--port', '0', '--seconds', '25']);
    await vi.waitFor(() => expect(run.stdout()).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/), { timeout: 15_000, interval: 50 });
    const url = /metrics: (http:\S+)/.exec(run.stdout())![1]!;
    const received = async (): Promise<number> => {
      const text = await (await fetch(url)).text();
      for (const name of ['ws_client_messages_received_total', 'ws_client_connected', 'ws_client_command_duration_seconds_bucket', 'marketdata_reconnects_total', 'kalshi_ws_pool_queue_depth', 'kalshi_ws_pool_markets']) {
        expect(text).toContain(name);
      }
      let total = 0;
      for (const line of text.split('\n')) if (line.startsWith('ws_client_messages_received_total{')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
      return total;
    };
    const first = await received();
    await vi.waitFor(async () => expect(await received()).toBeGreaterThan(first), { timeout: 10_000, interval: 200 });
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('stopped');
  });

  it('simulated.ts (npm start) serves /metrics, prints a summary and ends by itself', async () => {
    const run = runExample('simulated.ts', ['--seconds', '3', '--metrics-port', '0'], process.env, 60_000);
    await vi.waitFor(() => expect(run.stdout()).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/), { timeout: 30_000, interval: 50 });
    const url = /metrics: (http:\S+)/.exec(run.stdout())![1]!;
    expect(await (await fetch(url)).text()).toContain('ws_client_connected{connection="150",role="orderbook"} 1');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/--- summary ---[\s\S]*sockets open at the simulator after stop: 0/);
  });

  it('top-of-book.ts prints live best bid/ask once a second and exits', async () => {
    const run = runExample('top-of-book.ts', ['--seconds', '3']);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/-- \d+\/500 books live/);
    expect(run.stdout()).toMatch(/\d\.\d{4} \/ {1,3}(\d\.\d{4}|-) +live/);
    expect(run.stdout()).toContain('top-of-book: done');
  });
});
