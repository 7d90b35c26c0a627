/**
 * Subscription scale: 1,080,000 markets (quick: 108,000) in a memory registry, placed by a manager
 * with the DEFAULT options (150 connections, 144 orderbook x 7,500, admission 10 dials/s,
 * 100 commands/s) against the simulator. Measures wall time from `start()` to the last snapshot,
 * commands sent, and the manager's heap per placed market (heap after minus before, both after GC).
 */
import type { Scenario } from '../lib/context';
import { sdkUnavailable, startManagerTrial, startSim } from '../lib/manager-trial';
import type { ResultRow } from '../lib/results';
import { row, skippedRow } from '../lib/results';

const NAME = 'subscription-scale';

/** The subscription-scale scenario. */
export const subscriptionScale: Scenario = {
  name: NAME,
  budgetMs: (quick) => (quick ? 90_000 : 300_000),
  async run(context, signal) {
    const markets = context.quick ? 108_000 : 1_080_000;
    const caseName = `${markets.toLocaleString('en-US')} markets, 144 conns`;
    const why = await sdkUnavailable(context);
    if (why !== undefined) return [skippedRow(NAME, caseName, 'sdk', why)];
    const rounds = context.quick ? 1 : 2;
    const ready: number[] = [];
    const commands: number[] = [];
    const perMarket: number[] = [];
    const rss: number[] = [];
    let gcExposed = true;
    const url = await startSim(context, markets);
    try {
      for (let round = 0; round < rounds; round++) {
        if (signal.aborted) break;
        const trial = await startManagerTrial(context, {
          url,
          markets,
          options: {},
          timeoutMs: context.quick ? 80_000 : 140_000,
        });
        try {
          const r = trial.report;
          gcExposed &&= r.gcExposed;
          ready.push(r.readyMs / 1000);
          commands.push(r.commandsSent);
          perMarket.push((r.heapAfter - r.heapBefore) / r.placed);
          rss.push(r.rss / 2 ** 20);
          context.log(
            `${NAME} round ${round + 1}: ${r.snapshots} snapshots in ${(r.readyMs / 1000).toFixed(1)} s ` +
              `(start() ${(r.startMs / 1000).toFixed(1)} s), ${r.commandsSent} commands (${r.commandsFailed} failed), ` +
              `${((r.heapAfter - r.heapBefore) / r.placed).toFixed(0)} B/market`,
          );
        } finally {
          await trial.close();
        }
      }
    } finally {
      await context.server.rpc.call('sim.stop', null, 30_000).catch(() => undefined);
    }
    const base = { scenario: NAME, case: caseName, variant: 'sdk' };
    const rows: ResultRow[] = [
      row({ ...base, metric: 'all snapshots', unit: 's', note: 'target < 60 s (1.08M)' }, ready),
      row({ ...base, metric: 'commands sent', unit: 'count' }, commands),
      row({ ...base, metric: 'heap/market', unit: 'B', note: gcExposed ? 'target <= 200 B' : 'no --expose-gc: unreliable' }, perMarket),
      row({ ...base, metric: 'rss', unit: 'MB' }, rss),
    ];
    return rows;
  },
};
