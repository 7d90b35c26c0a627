/**
 * kalshi-ws-pool benchmark orchestrator.
 *
 *   npx tsx bench/run.ts [--quick] [--json PATH] [--only NAME[,NAME]] [--rounds N] [--source firehose|sim]
 *
 * Starts the server side (firehose + simulator) in its own process pinned to core 1 with taskset,
 * runs every variant of a scenario alternately (one fresh client process per trial, pinned to core 0),
 * and prints medians, min-max and ratios to the raw `ws` baseline. See bench/README.md.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from './lib/args';
import type { BenchContext, Scenario } from './lib/context';
import { machineInfo, machineLine } from './lib/machine';
import { hasTaskset, killAllChildren, startChild } from './lib/processes';
import type { ResultRow } from './lib/results';
import { addRatios, formatTable, skippedRow } from './lib/results';
import { idle } from './scenarios/idle';
import { latency } from './scenarios/latency';
import { recovery } from './scenarios/recovery';
import { subscriptionScale } from './scenarios/subscription-scale';
import { throughput } from './scenarios/throughput';
import { books } from './scenarios/books';
import { userDataScale } from './scenarios/user-data-scale';
import { nats } from './scenarios/nats';

const SCENARIOS: readonly Scenario[] = [throughput, latency, subscriptionScale, recovery, idle, books, userDataScale, nats];

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Runs `scenario` under its budget: at the budget its signal aborts (it then stops starting trials
 * and returns what it has); 30 s later it is abandoned. A failure becomes a row, not a crash.
 */
async function runScenario(scenario: Scenario, context: BenchContext): Promise<ResultRow[]> {
  const controller = new AbortController();
  const budget = scenario.budgetMs(context.quick);
  const soft = setTimeout(() => {
    log(`${scenario.name}: budget of ${budget / 1000} s reached, finishing the trial in flight`);
    controller.abort(new Error(`exceeded its ${budget / 1000} s budget`));
  }, budget);
  let hard: NodeJS.Timeout | undefined;
  const abandoned = new Promise<never>((_resolve, reject) => {
    hard = setTimeout(() => reject(new Error(`did not stop within 30 s after its ${budget / 1000} s budget`)), budget + 30_000);
  });
  const started = performance.now();
  try {
    const rows = await Promise.race([scenario.run(context, controller.signal), abandoned]);
    log(`${scenario.name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return rows;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    log(`${scenario.name}: FAILED: ${why}`);
    return [skippedRow(scenario.name, '-', '-', `failed: ${why}`)];
  } finally {
    clearTimeout(soft);
    clearTimeout(hard);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const unknown = args.only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) {
    console.error(`bench: unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    process.exit(64);
  }
  const scenarios = SCENARIOS.filter((s) => args.only === undefined || args.only.includes(s.name));
  const machine = machineInfo(args.pin && hasTaskset(machineInfo(false).cores));
  console.log(machineLine(machine));

  // A global watchdog: whatever happens, the run ends (and takes its children with it).
  const totalBudget = scenarios.reduce((sum, s) => sum + s.budgetMs(args.quick), 30_000);
  const watchdog = setTimeout(() => {
    log(`watchdog: run exceeded ${totalBudget / 1000} s, killing everything`);
    killAllChildren();
    process.exit(2);
  }, totalBudget);
  watchdog.unref();

  const server = startChild({ script: 'server.ts', core: machine.taskset ? 1 : undefined, name: 'server' });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const auth = {
    keyId: randomUUID(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  const sim = await server.rpc.call<{ ok: boolean; why?: string }>('sim.available', null, 30_000);
  const simUnavailable = sim.ok ? undefined : (sim.why ?? 'unavailable');
  if (args.source === 'sim' && simUnavailable !== undefined) {
    // Only the throughput/latency stream is chosen here; the SDK scenarios always use the simulator.
    console.error(`bench: --source sim but ${simUnavailable}`);
    await server.stop();
    process.exit(1);
  }
  const source = args.source;
  console.log(
    `stream: ${source === 'sim' ? 'simulator blast' : 'bench firehose'}; ` +
      `simulator: ${simUnavailable ?? 'available'}; ` +
      `rounds: ${args.rounds}${args.quick ? ' (quick)' : ''}`,
  );
  const context: BenchContext = {
    quick: args.quick,
    rounds: args.rounds,
    server,
    clientCore: machine.taskset ? 0 : undefined,
    auth,
    source,
    simUnavailable,
    clientFlags: [
      ...(args.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(args.profile)}`]),
      ...(args.traceGc ? ['--trace-gc'] : []),
    ],
    variants: args.variants,
    log,
  };

  const rows: ResultRow[] = [];
  try {
    for (const scenario of scenarios) {
      log(`${scenario.name}: starting (budget ${scenario.budgetMs(args.quick) / 1000} s)`);
      rows.push(...(await runScenario(scenario, context)));
    }
  } finally {
    await server.rpc.call('shutdown', null, 5_000).catch(() => undefined);
    await server.stop();
  }
  addRatios(rows, ['rate', 'cpu', 'p50', 'p99']);
  console.log('');
  console.log(formatTable(rows));
  if (args.json !== undefined) {
    mkdirSync(dirname(args.json), { recursive: true });
    writeFileSync(
      args.json,
      `${JSON.stringify({ machine, source, rounds: args.rounds, quick: args.quick, date: new Date().toISOString(), rows }, null, 2)}\n`,
    );
    console.log(`\nwrote ${args.json}`);
  }
  clearTimeout(watchdog);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}
process.once('exit', killAllChildren);

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  killAllChildren();
  process.exit(1);
});
