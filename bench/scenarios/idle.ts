/**
 * Idle cost: the default 150-connection layout, subscribed (100 markets per orderbook connection),
 * simulator quiet except its 10 s heartbeat pings. Measures the manager process's CPU % of one core
 * and RSS over 10 s (quick: 5 s) after a 1 s settle.
 */
import type { Scenario } from '../lib/context';
import { sdkUnavailable, startManagerTrial, startSim } from '../lib/manager-trial';
import { row, skippedRow } from '../lib/results';

const NAME = 'idle';
const SLOTS = 150;
const MARKETS = 144 * 100;

interface IdleReport {
  readonly cpuPercent: number;
  readonly rss: number;
  readonly peakRss: number;
  readonly heapUsed: number;
}

/** The idle scenario. */
export const idle: Scenario = {
  name: NAME,
  budgetMs: (quick) => (quick ? 45_000 : 120_000),
  async run(context, signal) {
    const caseName = `${SLOTS} conns, ${MARKETS.toLocaleString('en-US')} markets`;
    const why = await sdkUnavailable(context);
    if (why !== undefined) return [skippedRow(NAME, caseName, 'sdk', why)];
    const rounds = context.quick ? 1 : 2;
    const durationMs = context.quick ? 5_000 : 10_000;
    const cpu: number[] = [];
    const rss: number[] = [];
    const url = await startSim(context, MARKETS);
    try {
      for (let round = 0; round < rounds; round++) {
        if (signal.aborted) break;
        // Setup is not measured: dial fast so the scenario fits its budget.
        const trial = await startManagerTrial(context, {
          url,
          markets: MARKETS,
          options: { admission: { dialsPerSecond: 200, burst: SLOTS, jitterMs: 0 }, commandsPerSecond: 1_000 },
          timeoutMs: 60_000,
        });
        try {
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const r = await trial.child.rpc.call<IdleReport & Record<string, number>>('idle', { durationMs }, durationMs + 10_000);
          cpu.push(r.cpuPercent);
          rss.push(r.peakRss / 2 ** 20);
          context.log(`${NAME} round ${round + 1}: ${r.cpuPercent.toFixed(2)} % CPU, peak RSS ${(r.peakRss / 2 ** 20).toFixed(0)} MB`);
        } finally {
          await trial.close();
        }
      }
    } finally {
      await context.server.rpc.call('sim.stop', null, 30_000).catch(() => undefined);
    }
    const base = { scenario: NAME, case: caseName, variant: 'sdk' };
    return [
      row({ ...base, metric: 'cpu', unit: '% of a core', note: 'target < 1 %' }, cpu),
      row({ ...base, metric: 'rss', unit: 'MB', note: 'target < 150 MB' }, rss),
    ];
  },
};
