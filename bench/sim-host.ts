/**
 * The server-process side of the SDK simulator (`startSimulator` from `kalshi-ws-pool/testing`):
 * start it with the bench's key and tickers, blast, inject faults, read counters. Looked up at run
 * time, so the bench works (and reports "skipped") before the simulator exists.
 */
import type { Json } from './lib/ipc';
import type { RpcHandler } from './lib/ipc';
import { preciseNowMs } from './lib/frames';
import { benchTickers } from './lib/tickers';

/** The simulator surface the bench uses (a subset of the real one). */
interface BenchSimulator {
  readonly url: string;
  readonly faults: { drop(target: { connection?: number | 'all' }, options: { mode: 'close' | 'destroy' }): number };
  blast(options: { frames: number }): Promise<{ framesSent: number; durationMs: number }>;
  setTraffic(traffic: { orderbookDeltasPerSecond?: number }): void;
  connections(): { id: number; open: boolean; subscriptions: readonly { channel: string; markets: number }[] }[];
  stats(): unknown;
  close(): Promise<void>;
}

type StartSimulator = (options: Readonly<Record<string, unknown>>) => Promise<BenchSimulator>;

let sim: BenchSimulator | undefined;

/** Finds `startSimulator` (and `blast`), or says why not. */
export async function loadSimulator(): Promise<{ ok: true; start: StartSimulator } | { ok: false; why: string }> {
  let testing: Readonly<Record<string, unknown>>;
  try {
    testing = (await import('kalshi-ws-pool/testing')) as Readonly<Record<string, unknown>>;
  } catch (error) {
    return { ok: false, why: `kalshi-ws-pool/testing failed to load (${error instanceof Error ? error.message : String(error)})` };
  }
  const start = testing['startSimulator'];
  if (typeof start !== 'function') return { ok: false, why: 'kalshi-ws-pool/testing does not export startSimulator yet' };
  return { ok: true, start: start as StartSimulator };
}

function requireSim(): BenchSimulator {
  if (sim === undefined) throw new Error('simulator not started');
  return sim;
}

/** Closes the simulator if one runs. */
export async function stopSim(): Promise<void> {
  const running = sim;
  sim = undefined;
  await running?.close();
}

type Timed = <T extends Record<string, Json>>(work: () => Promise<T>) => Promise<Json>;

/** RPC handlers `sim.*` for bench/server.ts. */
export function simHandlers(timed: Timed): Record<string, RpcHandler> {
  return {
    'sim.available': async () => {
      const found = await loadSimulator();
      return found.ok ? { ok: true } : { ok: false, why: found.why };
    },
    'sim.start': async (params) => {
      const { markets, publicKeyPem, pingIntervalMs } = params as {
        markets: number;
        publicKeyPem: string;
        pingIntervalMs?: number;
      };
      const found = await loadSimulator();
      if (!found.ok) throw new Error(found.why);
      await stopSim();
      sim = await found.start({
        markets: benchTickers(markets),
        publicKeys: [publicKeyPem],
        pingIntervalMs: pingIntervalMs ?? 10_000,
        stampSendTime: true,
      });
      return { url: sim.url };
    },
    'sim.blast': (params) => {
      const { frames } = params as { frames: number };
      return timed(async () => {
        const { framesSent, durationMs } = await requireSim().blast({ frames });
        return { sent: framesSent, ms: durationMs };
      });
    },
    'sim.pace': (params) => {
      const { rate, durationMs } = params as { rate: number; durationMs: number };
      return timed(async () => {
        const running = requireSim();
        running.setTraffic({ orderbookDeltasPerSecond: rate });
        await new Promise((resolve) => setTimeout(resolve, durationMs));
        running.setTraffic({ orderbookDeltasPerSecond: 0 });
        return {};
      });
    },
    'sim.kill': (params) => {
      const { target } = params as { target: 'one' | 'all' };
      const running = requireSim();
      if (target === 'all') {
        const killedAt = preciseNowMs();
        return { killedAt, killed: running.faults.drop({ connection: 'all' }, { mode: 'destroy' }) };
      }
      const victim = running
        .connections()
        .find((c) => c.open && c.subscriptions.some((s) => s.channel === 'orderbook_delta' && s.markets > 0));
      if (victim === undefined) throw new Error('no open orderbook connection to kill');
      const killedAt = preciseNowMs();
      return { killedAt, killed: running.faults.drop({ connection: victim.id }, { mode: 'destroy' }), connection: victim.id };
    },
    'sim.stats': () => JSON.parse(JSON.stringify(requireSim().stats())) as Json,
    'sim.stop': async () => {
      await stopSim();
      return null;
    },
  };
}
