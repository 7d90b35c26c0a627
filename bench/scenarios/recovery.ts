/**
 * Recovery, two parts against the simulator:
 * 1. kill one: 4 orderbook connections x 7,500 markets; the simulator destroys one connection's
 *    socket; measures kill -> all 7,500 fresh snapshots on that connection (reconnect first delay set
 *    to 50 ms, no jitter, so the number is the pool's work, not the backoff policy).
 * 2. kill all: every connection of a 150-slot pool (quick: 30) dropped at once; reports the
 *    reconnect (dial) rate over the whole recovery and its peak in any 1 s window, against the
 *    default admission limit (10 dials/s, burst 5).
 */
import type { BenchContext, Scenario } from '../lib/context';
import { sdkUnavailable, startManagerTrial, startSim } from '../lib/manager-trial';
import type { ResultRow } from '../lib/results';
import { row, skippedRow } from '../lib/results';

const NAME = 'recovery';
const HOLD = 7_500;
const ADMISSION = { dialsPerSecond: 10, burst: 5 };

interface Killed {
  readonly killedAt: number;
  readonly killed: number;
}

async function killOne(context: BenchContext, url: string): Promise<number> {
  const trial = await startManagerTrial(context, {
    url,
    markets: 4 * HOLD,
    options: {
      layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 4 },
      minHealthyConnections: 4,
      reconnect: { initialDelayMs: 50, randomize: false },
    },
    timeoutMs: 60_000,
  });
  try {
    await trial.child.rpc.call('arm', null, 5_000);
    const kill = await context.server.rpc.call<Killed & Record<string, number>>('sim.kill', { target: 'one' }, 10_000);
    const done = await trial.child.rpc.call<{ doneAt: number; connectionId: number }>(
      'recovered',
      { count: HOLD, timeoutMs: 30_000 },
      35_000,
    );
    return done.doneAt - kill.killedAt;
  } finally {
    await trial.close();
  }
}

/** Max number of `times` (ms) inside any window of `windowMs`. */
function peakInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! > windowMs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

async function killAll(context: BenchContext, url: string, slots: number): Promise<{ rate: number; peak: number }> {
  const trial = await startManagerTrial(context, {
    url,
    markets: (slots - 6) * 10,
    options: {
      layout: { ticker: 2, trade: 2, lifecycle: 2, orderbook: slots - 6 },
      minHealthyConnections: slots,
      reconnect: { initialDelayMs: 50, randomize: false },
      admission: { ...ADMISSION },
    },
    timeoutMs: 60_000,
  });
  try {
    await trial.child.rpc.call('arm', null, 5_000);
    await context.server.rpc.call('sim.kill', { target: 'all' }, 10_000);
    const { times } = await trial.child.rpc.call<{ times: number[] }>(
      'redialed',
      { connections: slots, timeoutMs: 60_000 },
      65_000,
    );
    const first = Math.min(...times);
    const last = Math.max(...times);
    return { rate: last > first ? ((times.length - 1) / (last - first)) * 1000 : Number.NaN, peak: peakInWindow(times, 1000) };
  } finally {
    await trial.close();
  }
}

/** The recovery scenario. */
export const recovery: Scenario = {
  name: NAME,
  budgetMs: (quick) => (quick ? 60_000 : 180_000),
  async run(context, signal) {
    const why = await sdkUnavailable(context);
    const slots = context.quick ? 30 : 150;
    const oneCase = `kill 1 of 4 (${HOLD} markets)`;
    const allCase = `kill all ${slots}`;
    if (why !== undefined) return [skippedRow(NAME, oneCase, 'sdk', why), skippedRow(NAME, allCase, 'sdk', why)];
    const rounds = context.quick ? 1 : 2;
    const recoverMs: number[] = [];
    const rates: number[] = [];
    const peaks: number[] = [];
    const url = await startSim(context, 4 * HOLD);
    try {
      for (let round = 0; round < rounds; round++) {
        if (signal.aborted) break;
        const ms = await killOne(context, url);
        recoverMs.push(ms);
        context.log(`${NAME} kill-one round ${round + 1}: ${ms.toFixed(0)} ms to ${HOLD} fresh snapshots`);
      }
      for (let round = 0; round < rounds; round++) {
        if (signal.aborted) break;
        const { rate, peak } = await killAll(context, url, slots);
        rates.push(rate);
        peaks.push(peak);
        context.log(`${NAME} kill-all round ${round + 1}: ${rate.toFixed(1)} dials/s, peak ${peak} in 1 s`);
      }
    } finally {
      await context.server.rpc.call('sim.stop', null, 30_000).catch(() => undefined);
    }
    const limit = `limit ${ADMISSION.dialsPerSecond}/s + burst ${ADMISSION.burst}`;
    const rows: ResultRow[] = [
      row({ scenario: NAME, case: oneCase, variant: 'sdk', metric: 'recovered', unit: 'ms', note: 'target < 3000 ms' }, recoverMs),
      row({ scenario: NAME, case: allCase, variant: 'sdk', metric: 'dial rate', unit: '/s', note: limit }, rates),
      row({ scenario: NAME, case: allCase, variant: 'sdk', metric: 'peak dials in 1 s', unit: 'count', note: limit }, peaks),
    ];
    return rows;
  },
};
