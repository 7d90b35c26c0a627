/**
 * Client child process for the SDK scenarios (subscription scale, recovery, idle): one connection
 * manager against the simulator, consumed with `for await`, driven step by step over IPC.
 *
 * RPC: `start(spec)` (resolves when every market's snapshot arrived; heap measured around it when
 * node runs with --expose-gc), `arm()`, `recovered({ count })`, `redialed({ connections })`,
 * `idle({ durationMs })`, `stop()`.
 */
import type { Json } from '../lib/ipc';
import { serveRpc } from '../lib/ipc';
import { preciseNowMs } from '../lib/frames';
import { benchTickers } from '../lib/tickers';
import { createKalshiSigner } from 'kalshi-ws-pool';
import type { BenchManager, BenchManagerOptions } from './sdk-variant';
import { loadSdk } from './sdk-variant';
import type { BenchAuth } from './sockets';

/** What `start` needs. */
export interface ManagerSpec {
  readonly url: string;
  readonly auth: BenchAuth;
  /** Markets in the registry (bench tickers 0..n-1). */
  readonly markets: number;
  /** Options passed through (layout, admission, reconnect, ...). */
  readonly options: Omit<BenchManagerOptions, 'url' | 'signer' | 'registry'>;
  readonly timeoutMs: number;
}

interface EventSource {
  on(event: 'connected' | 'disconnected', listener: (event: { connectionId: number }) => void): void;
}

let manager: (BenchManager & Partial<EventSource>) | undefined;
let loop: Promise<void> | undefined;
let total = 0;
let perConnection: number[] = [];
let disconnects: { connectionId: number; at: number }[] = [];
let connects: { connectionId: number; at: number }[] = [];
let wake: (() => void) | undefined;

function notify(): void {
  const resume = wake;
  wake = undefined;
  resume?.();
}

/** Waits until `done()` holds, re-checking after every consumed snapshot or event. */
async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(left, 250));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) return;
  collect();
  collect();
}

async function start(params: Json): Promise<Json> {
  const spec = params as unknown as ManagerSpec;
  const sdk = await loadSdk();
  if (!sdk.ok) throw new Error(`skipped: ${sdk.why}`);
  const tickers = benchTickers(spec.markets);
  const registry = sdk.createMemoryRegistry(tickers);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const signer = createKalshiSigner({ keyId: spec.auth.keyId, privateKey: spec.auth.privateKeyPem });
  const m: BenchManager & Partial<EventSource> = sdk.createConnectionManager({ ...spec.options, url: spec.url, signer, registry });
  manager = m;
  m.on?.('connected', (event) => {
    connects.push({ connectionId: event.connectionId, at: preciseNowMs() });
    notify();
  });
  m.on?.('disconnected', (event) => {
    disconnects.push({ connectionId: event.connectionId, at: preciseNowMs() });
    notify();
  });
  const started = preciseNowMs();
  await m.start(AbortSignal.timeout(spec.timeoutMs));
  const startedMs = preciseNowMs() - started;
  loop = (async () => {
    for await (const message of m) {
      if (message.type !== 'orderbook_snapshot') continue;
      total++;
      perConnection[message.connectionId] = (perConnection[message.connectionId] ?? 0) + 1;
      notify();
    }
  })();
  loop.catch(() => undefined);
  await until(() => total >= spec.markets, spec.timeoutMs, `${spec.markets} snapshots (have ${total})`);
  const readyMs = preciseNowMs() - started;
  const stats = m.stats() as { commands?: { sent?: number; failed?: number }; markets?: { placed?: number } };
  gc();
  const memory = process.memoryUsage();
  return {
    startMs: startedMs,
    readyMs,
    snapshots: total,
    placed: stats.markets?.placed ?? Number.NaN,
    commandsSent: stats.commands?.sent ?? Number.NaN,
    commandsFailed: stats.commands?.failed ?? Number.NaN,
    heapBefore,
    heapAfter: memory.heapUsed,
    rss: memory.rss,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
}

function arm(): Json {
  perConnection = [];
  disconnects = [];
  connects = [];
  return null;
}

/** After a kill: waits for a disconnect, then for `count` fresh snapshots on that connection. */
async function recovered(params: Json): Promise<Json> {
  const { count, timeoutMs } = params as { count: number; timeoutMs: number };
  await until(() => disconnects.length > 0, timeoutMs, 'a disconnect');
  const { connectionId, at } = disconnects[0]!;
  await until(() => (perConnection[connectionId] ?? 0) >= count, timeoutMs, `${count} snapshots on connection ${connectionId}`);
  return { connectionId, disconnectedAt: at, doneAt: preciseNowMs(), reconnectedAt: connects.find((c) => c.connectionId === connectionId)?.at ?? null };
}

/** After a kill-all: waits until `connections` reconnects happened; returns their times. */
async function redialed(params: Json): Promise<Json> {
  const { connections, timeoutMs } = params as { connections: number; timeoutMs: number };
  await until(() => connects.length >= connections, timeoutMs, `${connections} reconnects (have ${connects.length})`);
  return { times: connects.map((c) => c.at), firstDisconnect: disconnects[0]?.at ?? null };
}

/** Samples CPU % of one core and memory over `durationMs` of (supposed) idleness. */
async function idle(params: Json): Promise<Json> {
  const { durationMs } = params as { durationMs: number };
  const cpu = process.cpuUsage();
  const started = performance.now();
  let peakRss = 0;
  while (performance.now() - started < durationMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  const memory = process.memoryUsage();
  return { cpuPercent: ((used.user + used.system) / 1000 / wall) * 100, rss: memory.rss, peakRss, heapUsed: memory.heapUsed };
}

async function shutdown(): Promise<never> {
  const m = manager;
  manager = undefined;
  await Promise.race([m?.stop(), new Promise((resolve) => setTimeout(resolve, 15_000))]).catch(() => undefined);
  process.exit(0);
}

serveRpc(
  {
    start,
    arm,
    recovered,
    redialed,
    idle,
    stop: () => {
      setImmediate(() => void shutdown());
      return null;
    },
  },
  () => void shutdown(),
);
process.on('SIGTERM', () => void shutdown());
