/**
 * Bounded soak of the full pool (150 connections) against the simulator with realistic traffic and a
 * random fault every few seconds; checks invariants at the end, prints a Markdown report and exits
 * non-zero when one fails.
 *
 *   npm run soak -- --minutes 1          (the CI version)
 *   npx tsx scripts/soak.ts --seconds 90 [--seed 7] [--markets 3000] [--only flood,429]   (--only: faults whose name contains one of these)
 *
 * Bounded in time (duration + at most 30 s recovery + a 3-minute hard limit) and in faults (one per 2 s at most).
 */
import { parseArgs } from 'node:util';
import { createConnectionManager, createKalshiClient, createKalshiSigner, createMemoryRegistry, systemClock } from '../src/index';
import type { Client, Clock, ConnectionManager, TimerHandle } from '../src/index';
import { startSimulator } from '../src/testing/index';
import type { Simulator } from '../src/testing/index';
import type { InjectedGap, SoakContext } from './soak/soak-faults';
import { pickFault } from './soak/soak-faults';
import { SoakObserver } from './soak/soak-observer';
import { formatReport, invariants } from './soak/soak-report';

const { values } = parseArgs({
  options: { minutes: { type: 'string' }, seconds: { type: 'string' }, seed: { type: 'string' }, markets: { type: 'string' }, only: { type: 'string' } },
  allowPositionals: false,
});
const durationMs = values.seconds !== undefined ? Number(values.seconds) * 1_000 : Number(values.minutes ?? '1') * 60_000;
const seed = Number(values.seed ?? '1');
const marketCount = Number(values.markets ?? '3000');
const only = values.only?.split(',').filter((o) => o !== '');
if (!(durationMs > 0) || !Number.isInteger(seed) || !(marketCount > 0)) {
  console.error('usage: soak [--minutes N | --seconds N] [--seed N] [--markets N] [--only NAME,...]');
  process.exit(64);
}

const ADMISSION = { dialsPerSecond: 50, burst: 10, jitterMs: 20 };
const STALE_AFTER_MS = 3_000;
const RECOVERY_TIMEOUT_MS = 30_000;
const HEAP_BOUND_MB = 50;
const LOOP_DELAY_BOUND_MS = 250;
const TRAFFIC = {
  orderbookDeltasPerSecond: 2_000,
  tradesPerSecond: 150,
  tickersPerSecond: 300,
  lifecyclePerSecond: 0.5,
  burstEveryMs: 30_000,
  burstFactor: 3,
  burstDurationMs: 2_000,
};

/** Counts armed timers, for the after-stop leak check. */
class CountingClock implements Clock {
  readonly active = new Set<TimerHandle>();
  now(): number {
    return systemClock.now();
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = setTimeout(() => {
      this.active.delete(handle);
      callback();
    }, ms);
    this.active.add(handle);
    return handle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.active.delete(handle);
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}

/** Deterministic PRNG (mulberry32) so a failing soak can be replayed with its seed. */
function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();
const log = (message: string): void => {
  const s = Math.floor((Date.now() - started) / 1_000);
  process.stderr.write(`[soak ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${message}\n`);
};

/** Problems with the pool's state now: empty when every slot is in sync and the server holds what placement says. */
function syncProblems(manager: ConnectionManager, sim: Simulator): string[] {
  const health = manager.health();
  const problems: string[] = [];
  for (const c of health.connections) {
    if (c.state !== 'open' || !c.inSync || c.sids.length === 0) problems.push(`connection ${c.connectionId} ${c.state}${c.inSync ? '' : ' (not in sync)'}`);
    else if (c.role === 'orderbook' && c.markets !== c.placed) problems.push(`connection ${c.connectionId} holds ${c.markets}/${c.placed}`);
  }
  const subscribed = sim.stats().marketsSubscribed;
  if (subscribed !== health.placed) problems.push(`server holds ${subscribed} markets, placement ${health.placed}`);
  return problems;
}

async function recovered(manager: ConnectionManager, sim: Simulator, timeoutMs: number): Promise<string[]> {
  const startedAt = Date.now();
  let reported = false;
  for (;;) {
    const problems = syncProblems(manager, sim);
    if (problems.length === 0 || Date.now() - startedAt > timeoutMs) return problems.slice(0, 3);
    if (!reported && Date.now() - startedAt > 2_000) {
      reported = true; // slow: say what is still missing (diagnostics only)
      log(`  still recovering after 2 s: ${problems.slice(0, 3).join('; ')}`);
    }
    await sleep(50);
  }
}

async function main(): Promise<number> {
  const hardLimit = setTimeout(() => {
    console.error('soak: hard time limit reached');
    process.exit(2);
  }, durationMs + 180_000);
  hardLimit.unref();
  const random = prng(seed);
  const sim = await startSimulator({ markets: marketCount, pingIntervalMs: 1_000, seed, traffic: TRAFFIC });
  const credentials = sim.credentials!;
  const signer = createKalshiSigner({ keyId: credentials.keyId, privateKey: credentials.privateKeyPem });
  const registry = createMemoryRegistry(sim.markets);
  const clock = new CountingClock();
  // Clients are checked for leftover listeners once closed and then forgotten (keeping 1,500 closed
  // clients alive would show up as heap growth); those still here at the end are checked after stop().
  const clients = new Set<Client>();
  let listenerLeaks = 0;
  const managerEvents = ['subscribed', 'subscriptionError', 'protocolError', 'error'] as const;
  const leftovers = (client: Client, own: number): number =>
    managerEvents.reduce((n, e) => n + client.listenerCount(e), 0) + client.listenerCount('close') - own +
    ((client as { readonly frameSink?: unknown }).frameSink === undefined ? 0 : 1);
  const watch = (client: Client): void => {
    clients.add(client);
    const onClose = (): void => {
      setImmediate(() => {
        if (leftovers(client, 1) > 0) listenerLeaks++;
        client.off('close', onClose);
        clients.delete(client);
      });
    };
    client.on('close', onClose);
  };
  const dials: number[] = [];
  const manager = createConnectionManager({
    registry,
    clock,
    admission: ADMISSION,
    commandsPerSecond: 500,
    reconnect: { initialDelayMs: 100, maxDelayMs: 2_000, stableAfterMs: 10_000 },
    closeTimeoutMs: 1_000,
    clientFactory: ({ connectionId }) => {
      dials.push(performance.now());
      const client = createKalshiClient({ url: sim.url, signer, connectionId, clock, closeTimeoutMs: 1_000, staleAfterMs: STALE_AFTER_MS, commandTimeoutMs: 2_000, dialTimeoutMs: 5_000, maxPayload: 2 ** 20 });
      watch(client);
      return client;
    },
  });
  const observer = new SoakObserver(manager, dials);
  const injectedGaps: InjectedGap[] = [];
  const ctx: SoakContext = { sim, manager, registry, observer, random, staleAfterMs: STALE_AFTER_MS, injectedGap: (gap) => injectedGaps.push(gap) };

  log(`starting: ${durationMs / 1_000} s, ${marketCount} markets, seed ${seed}`);
  await manager.start();
  observer.startReading();
  const startProblems = await recovered(manager, sim, 60_000);
  if (startProblems.length > 0) throw new Error(`pool never got in sync: ${startProblems.join('; ')}`);
  observer.sampleMemory('start');
  observer.startLoopDelay();

  const faults = new Map<string, number>();
  const faultProblems: string[] = [];
  const recoveryMs: number[] = [];
  const t0 = Date.now();
  const maxFaults = Math.ceil(durationMs / 2_000);
  let middle = false;
  while (Date.now() - t0 < durationMs && recoveryMs.length < maxFaults) {
    await sleep(1_000 + random() * 2_000);
    if (!middle && Date.now() - t0 >= durationMs / 2) {
      observer.sampleMemory('middle');
      middle = true;
    }
    const fault = pickFault(random, faults, only);
    faults.set(fault.name, (faults.get(fault.name) ?? 0) + 1);
    const check = await fault.run(ctx);
    const t = Date.now();
    const problems = await recovered(manager, sim, RECOVERY_TIMEOUT_MS);
    recoveryMs.push(Date.now() - t);
    if (problems.length > 0) faultProblems.push(`${fault.name}: not back in sync within ${RECOVERY_TIMEOUT_MS / 1_000} s (${problems.join(', ')})`);
    const found = check === undefined ? [] : await check();
    for (const p of found) faultProblems.push(`${fault.name}: ${p}`);
    observer.prune((ticker) => registry.has(ticker));
    log(`${fault.name}: back in sync in ${Date.now() - t} ms${found.length + problems.length > 0 ? ` — PROBLEM ${[...problems, ...found].join('; ')}` : ''}`);
  }
  if (!middle) observer.sampleMemory('middle');

  // Quiesce: no churn, no standing faults; then the exact end state.
  sim.setTraffic({ ...TRAFFIC, lifecyclePerSecond: 0 });
  sim.faults.clear();
  const endState = await recovered(manager, sim, RECOVERY_TIMEOUT_MS);
  if (manager.health().unplaced === 0) {
    const wrong = registry.markets().filter((m) => sim.connectionsHolding(m).length !== 1);
    if (wrong.length > 0) endState.push(`${wrong.length} markets not held exactly once (e.g. ${wrong[0]})`);
  } else {
    endState.push(`${manager.health().unplaced} markets unplaced`);
  }
  await sleep(500); // late gap events of the last fault
  observer.sampleMemory('end');
  const loopDelay = observer.loopDelay();

  // Every injected gap must match one gap event (slot, sid, size); every gap event must be injected.
  const events = [...observer.gaps];
  let unflaggedGaps = 0;
  for (const gap of injectedGaps) {
    const i = events.findIndex((e) => e.connectionId === gap.connectionId && e.sid === gap.sid && e.gapSize === gap.size);
    if (i < 0) unflaggedGaps++;
    else events.splice(i, 1);
  }

  await manager.stop();
  await observer.reading;
  const leaks: string[] = [];
  const openAt = Date.now();
  while (sim.stats().connectionsOpen > 0 && Date.now() - openAt < 5_000) await sleep(50);
  if (sim.stats().connectionsOpen > 0) leaks.push(`${sim.stats().connectionsOpen} sockets open`);
  if (clock.active.size > 0) leaks.push(`${clock.active.size} timers armed`);
  await sleep(50); // the close checks run on setImmediate
  for (const client of clients) if (leftovers(client, 1) > 0) listenerLeaks++;
  if (listenerLeaks > 0) leaks.push(`${listenerLeaks} clients kept listeners after closing`);
  await sim.close();
  observer.dispose();
  // Every gap reached the consumer as seqGap/gapSize (read after stop: the queue is drained by then).
  const final = manager.stats();
  const flagsMatch = observer.flaggedMissing === final.gapMessages + final.queueDrops;

  const summary = {
    command: `npx tsx scripts/soak.ts ${process.argv.slice(2).join(' ')}`.trim(),
    durationS: (Date.now() - t0) / 1_000,
    layout: '150 connections (2 ticker, 2 trade, 2 lifecycle, 144 orderbook)',
    markets: marketCount,
    faults,
    faultProblems,
    recoveryMs,
    injectedGaps,
    unflaggedGaps,
    flagsMatch,
    unexplainedGaps: events.length,
    stats: final,
    observer,
    dialsPerSecondLimit: ADMISSION.dialsPerSecond,
    burst: ADMISSION.burst,
    loopDelay,
    heapBoundMb: HEAP_BOUND_MB,
    loopDelayBoundMs: LOOP_DELAY_BOUND_MS,
    leaks,
    endState,
  };
  const checks = invariants(summary);
  console.log(formatReport(summary, checks));
  const failed = checks.filter((c) => !c.ok);
  log(failed.length === 0 ? 'all invariants hold' : `${failed.length} invariant(s) failed: ${failed.map((c) => c.name).join('; ')}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('soak failed:', error);
    process.exit(1);
  },
);
