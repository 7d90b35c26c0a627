/**
 * The soak's fault catalogue: the faults of the reliability matrix (test/integration/reliability),
 * each applied to a running pool, with a check of its own end state once the pool is back in sync.
 */
import type { ConnectionManager, MemoryRegistry } from '../../src/index';
import type { Simulator } from '../../src/testing/index';
import type { SoakObserver } from './soak-observer';

/** What a fault can touch. */
export interface SoakContext {
  readonly sim: Simulator;
  readonly manager: ConnectionManager;
  readonly registry: MemoryRegistry;
  readonly observer: SoakObserver;
  readonly random: () => number;
  readonly staleAfterMs: number;
  /** Record a gap the simulator was told to make (every one must be flagged). */
  injectedGap(gap: InjectedGap): void;
}

/** A gap made with `skipSeq`, and whether the pool flagged it. */
export interface InjectedGap {
  readonly connectionId: number;
  readonly sid: number;
  readonly size: number;
  readonly at: number;
}

/** After recovery: problems found (empty when the fault's end state is right). */
export type FaultCheck = () => Promise<string[]> | string[];

/** One kind of fault. */
export interface Fault {
  readonly name: string;
  /** Relative frequency. */
  readonly weight: number;
  /** At most this many times per soak (faults that use up capacity or take long). */
  readonly max?: number;
  run(ctx: SoakContext): Promise<FaultCheck | undefined>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function pick<T>(ctx: SoakContext, items: readonly T[]): T {
  return items[Math.floor(ctx.random() * items.length)]!;
}

function openConnections(ctx: SoakContext, channel?: string): number[] {
  return ctx.sim
    .connections()
    .filter((c) => c.open && (channel === undefined || c.subscriptions.some((s) => s.channel === channel)))
    .map((c) => c.id);
}

/** Markets held by simulator connections `ids`, computed before a fault. */
function marketsOn(ctx: SoakContext, ids: readonly number[]): string[] {
  const wanted = new Set(ids);
  return ctx.registry.markets().filter((m) => ctx.sim.connectionsHolding(m).some((id) => wanted.has(id)));
}

/** Every market of `markets` still wanted got a snapshot after `since`. */
function freshSnapshots(ctx: SoakContext, markets: readonly string[], since: number): FaultCheck {
  const stale = (): string[] => markets.filter((m) => ctx.registry.has(m) && (ctx.observer.lastSnapshot.get(m)?.at ?? 0) < since);
  return async () => {
    // In sync means acknowledged; the snapshots may still be in the output queue.
    await until(() => stale().length === 0, 10_000);
    const left = stale();
    return left.length === 0 ? [] : [`${left.length} markets without a fresh snapshot (e.g. ${left[0]})`];
  };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

function drop(name: string, weight: number, mode: 'close' | 'destroy', count: (open: number) => number, max?: number): Fault {
  return {
    name,
    weight,
    ...(max === undefined ? {} : { max }),
    async run(ctx) {
      const open = openConnections(ctx);
      const targets = [...open].sort(() => ctx.random() - 0.5).slice(0, count(open.length));
      const markets = marketsOn(ctx, targets);
      const since = Date.now();
      for (const id of targets) ctx.sim.faults.drop({ connection: id }, { mode });
      await sleep(200);
      return freshSnapshots(ctx, markets, since);
    },
  };
}

/** Fixed names, reused by every run of a fault, so neither side's market set grows over a long soak. */
function newMarkets(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `KXSOAK-${prefix}-${i}`);
}

/** The added markets are each held exactly once; then they are removed again (the market set stays stable). */
function placedCheck(ctx: SoakContext, markets: readonly string[]): FaultCheck {
  return () => {
    const missing = markets.filter((m) => ctx.registry.has(m) && ctx.sim.connectionsHolding(m).length !== 1);
    ctx.registry.remove(...markets);
    return missing.length === 0 ? [] : [`${missing.length} added markets not held exactly once (e.g. ${missing[0]})`];
  };
}

/** The catalogue. */
export const FAULTS: readonly Fault[] = [
  drop('close one connection', 4, 'close', () => 1),
  drop('destroy one connection', 4, 'destroy', () => 1),
  drop('destroy many connections', 2, 'destroy', (n) => Math.ceil(n / 10)),
  drop('close all connections', 1, 'close', (n) => n, 3),
  drop('destroy all connections', 1, 'destroy', (n) => n, 3),
  {
    name: 'half-open link (silence)',
    weight: 3,
    async run(ctx) {
      const before = ctx.observer.disconnects.filter((d) => d.kind === 'stale').length;
      const id = pick(ctx, openConnections(ctx));
      const markets = marketsOn(ctx, [id]);
      const since = Date.now();
      ctx.sim.faults.silence({ connection: id });
      const detected = await until(() => ctx.observer.disconnects.filter((d) => d.kind === 'stale').length > before, ctx.staleAfterMs * 3);
      return async () => [...(detected ? [] : ['silenced link not detected as stale']), ...(await freshSnapshots(ctx, markets, since)())];
    },
  },
  {
    name: 'pings stop, data flows',
    weight: 2,
    async run(ctx) {
      const quiet = new Set(openConnections(ctx, 'market_lifecycle_v2'));
      const targets = openConnections(ctx).filter((id) => !quiet.has(id));
      const before = ctx.observer.disconnects.length;
      for (const id of targets) ctx.sim.faults.stopPings({ connection: id });
      await sleep(ctx.staleAfterMs * 2);
      const lost = ctx.observer.disconnects.length - before;
      for (const id of targets) ctx.sim.faults.resumePings({ connection: id });
      return () => (lost === 0 ? [] : [`${lost} connections dropped while only pings stopped`]);
    },
  },
  {
    name: 'server stops answering commands (2 per connection)',
    weight: 2,
    async run(ctx) {
      ctx.sim.faults.ignoreCommands({ connection: 'all' }, 2);
      const markets = newMarkets('ign', 150);
      ctx.registry.add(...markets);
      await sleep(100);
      return placedCheck(ctx, markets);
    },
  },
  {
    name: 'error 10 or 25 on a sid',
    weight: 3,
    async run(ctx) {
      const conn = pick(ctx, ctx.sim.connections().filter((c) => c.open && c.subscriptions.length > 0));
      const sub = pick(ctx, conn.subscriptions);
      const before = ctx.observer.resubscribes.length;
      const markets = marketsOn(ctx, [conn.id]);
      const since = Date.now();
      ctx.sim.faults.sidError({ connection: conn.id, sid: sub.sid }, ctx.random() < 0.5 ? 10 : 25);
      const ok = await until(() => ctx.observer.resubscribes.length > before, 5_000);
      return async () => [...(ok ? [] : ['no resubscribe after a sid error']), ...(await freshSnapshots(ctx, markets, since)())];
    },
  },
  {
    name: 'error 26 on an add',
    weight: 1,
    max: 4,
    async run(ctx) {
      ctx.sim.faults.failCommands({ connection: pick(ctx, openConnections(ctx, 'orderbook_delta')) }, 26, { cmd: 'update_subscription', count: 1 });
      const markets = newMarkets('full', 150);
      ctx.registry.add(...markets);
      await sleep(100);
      return placedCheck(ctx, markets);
    },
  },
  {
    name: 'error 27 storm',
    weight: 2,
    async run(ctx) {
      ctx.sim.faults.failCommands({ connection: 'all' }, 27, { count: 2 });
      const markets = newMarkets('storm', 300);
      ctx.registry.add(...markets);
      await sleep(100);
      return placedCheck(ctx, markets);
    },
  },
  {
    name: '429 (Retry-After 1 s) on a mass reconnect',
    weight: 1,
    max: 3,
    async run(ctx) {
      ctx.sim.faults.rejectHandshakes({ status: 429, count: 20, retryAfterSeconds: 1 });
      const since = Date.now();
      ctx.sim.faults.drop({ connection: 'all' }, { mode: 'destroy' });
      await sleep(200);
      return freshSnapshots(ctx, ctx.registry.markets(), since);
    },
  },
  {
    name: 'malformed frames',
    weight: 3,
    async run(ctx) {
      const kind = pick(ctx, ['not-json', 'truncated', 'binary', 'unknown-sid'] as const);
      const targets = openConnections(ctx).sort(() => ctx.random() - 0.5).slice(0, 10);
      for (const id of targets) ctx.sim.faults.sendMalformed({ connection: id }, kind);
      const lost = ctx.observer.disconnects.length;
      await sleep(200);
      return () => (ctx.observer.disconnects.length === lost ? [] : [`a ${kind} frame ended a connection`]);
    },
  },
  {
    name: 'oversized frame',
    weight: 1,
    async run(ctx) {
      const id = pick(ctx, openConnections(ctx, 'orderbook_delta'));
      const markets = marketsOn(ctx, [id]);
      const since = Date.now();
      ctx.sim.faults.sendMalformed({ connection: id }, 'oversized', { bytes: 2 ** 20 + 1 });
      await sleep(300);
      return freshSnapshots(ctx, markets, since);
    },
  },
  {
    name: 'duplicated seqs',
    weight: 2,
    async run(ctx) {
      const before = ctx.manager.stats().duplicateDrops;
      const targets = openConnections(ctx, 'orderbook_delta').sort(() => ctx.random() - 0.5).slice(0, 10);
      for (const id of targets) ctx.sim.faults.repeatSeq({ connection: id });
      const ok = await until(() => ctx.manager.stats().duplicateDrops >= before + targets.length, 5_000);
      return () => (ok ? [] : ['duplicated seqs not all dropped']);
    },
  },
  {
    name: 'sequence gap (skipSeq)',
    weight: 4,
    async run(ctx) {
      const market = pick(ctx, ctx.registry.markets());
      const [simId] = ctx.sim.connectionsHolding(market);
      const slot = ctx.observer.lastSnapshot.get(market)?.slot;
      const health = slot === undefined ? undefined : ctx.manager.health().connections[slot - 1];
      const sid = health?.sids[0];
      if (simId === undefined || slot === undefined || sid === undefined) return undefined;
      const size = 1 + Math.floor(ctx.random() * 5);
      const repairs = ctx.observer.repairs.length;
      ctx.sim.faults.skipSeq({ connection: simId, sid }, size);
      ctx.injectedGap({ connectionId: slot, sid, size, at: Date.now() });
      ctx.sim.publishDelta(market);
      await until(() => ctx.observer.repairs.length > repairs, 5_000);
      return () => (ctx.observer.repairs.slice(repairs).some((r) => r.connectionId === slot && r.outcome === 'ok') ? [] : [`gap on slot ${slot} not repaired`]);
    },
  },
  {
    name: 'registry flood (20k adds, then 20k removes, within a second)',
    weight: 1,
    max: 5,
    async run(ctx) {
      const markets = newMarkets('flood', 20_000);
      const commands = ctx.manager.stats().commands.sent;
      for (let i = 0; i < markets.length; i += 1_000) {
        ctx.registry.add(...markets.slice(i, i + 1_000));
        await sleep(10);
      }
      for (let i = 0; i < markets.length; i += 1_000) {
        ctx.registry.remove(...markets.slice(i, i + 1_000));
        await sleep(10);
      }
      return () => {
        const sent = ctx.manager.stats().commands.sent - commands;
        const held = markets.filter((m) => ctx.sim.connectionsHolding(m).length > 0).length;
        return [...(held === 0 ? [] : [`${held} flooded markets still held`]), ...(sent <= 2_000 ? [] : [`${sent} commands for one flood`])];
      };
    },
  },
  {
    name: 'slow consumer (stops reading 6 s)',
    weight: 1,
    async run(ctx) {
      const drops = ctx.manager.stats().queueDrops;
      const lost = ctx.observer.disconnects.length;
      ctx.observer.pauseReading(6_000);
      await sleep(6_500);
      return () => [
        ...(ctx.manager.stats().queueDrops === drops ? [] : ['local drops with the pause policy']),
        ...(ctx.observer.disconnects.length === lost ? [] : ['connections dropped while the consumer was slow']),
      ];
    },
  },
];

/** Picks a fault by weight among those not used up (and matching `only`, substrings of names, when given). */
export function pickFault(random: () => number, used: ReadonlyMap<string, number>, only?: readonly string[]): Fault {
  const open = FAULTS.filter(
    (f) => (f.max === undefined || (used.get(f.name) ?? 0) < f.max) && (only === undefined || only.some((o) => f.name.includes(o))),
  );
  if (open.length === 0) throw new Error(`no fault left to pick (only: ${only?.join(',') ?? 'all'})`);
  const total = open.reduce((n, f) => n + f.weight, 0);
  let r = random() * total;
  for (const fault of open) {
    r -= fault.weight;
    if (r < 0) return fault;
  }
  return open[open.length - 1]!;
}
