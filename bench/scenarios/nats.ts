/**
 * NATS: the scale-out path of docs/scale-out.md on a real nats-server (`npm run bench -- --only nats`).
 * - publish: frames/s of `createJetStreamRouter` against a plain JetStream publish loop (same server, same
 *   window of 256 unacknowledged publishes, same bodies; the loop sends no headers), rounds alternated;
 * - e2e: latency from `router.route()` to the `createJetStreamSource` iterator, p50/p99 at a paced rate;
 * - failover: two gatherers publish the same markets, the one the source reads from stops publishing; time
 *   until the source yields each market from the other (bounded below by `silenceMs`, by design).
 * Gatherers and the consumer run in this process, on the same event loop. Skips with one line when there is
 * no nats-server binary and NATS_URL is unset; a spawned server gets a free 127.0.0.1 port and a temp dir.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_HEADERS, createJetStreamRouter, createJetStreamSource } from '../../src/nats/index';
import type { JetStreamRouter } from '../../src/nats/index';
import type { RawMessage } from '../../src/raw-message';
import type { BenchContext, Scenario } from '../lib/context';
import { NATS_SKIP_LINE, startBenchNats } from '../lib/nats-server';
import { row, skippedRow } from '../lib/results';
import { median } from '../lib/stats';

const NAME = 'nats';
const WINDOW = 256;
const encoder = new TextEncoder();

interface Plan {
  readonly publishRounds: number;
  readonly publishFrames: number;
  readonly e2eRate: number;
  readonly e2eMs: number;
  readonly failoverRounds: number;
  readonly silenceMs: number;
  readonly markets: number;
}

const QUICK: Plan = { publishRounds: 3, publishFrames: 20_000, e2eRate: 2_000, e2eMs: 5_000, failoverRounds: 2, silenceMs: 1_000, markets: 20 };
const FULL: Plan = { publishRounds: 5, publishFrames: 50_000, e2eRate: 2_000, e2eMs: 15_000, failoverRounds: 3, silenceMs: 3_000, markets: 50 };

const marketOf = (i: number): string => `KXBENCH-26DEC05-M${i}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function deltaBody(seq: number, market: string): Uint8Array {
  return encoder.encode(`{"type":"orderbook_delta","sid":1,"seq":${seq},"msg":{"market_ticker":"${market}","price_dollars":"0.5000","delta_fp":"1.00","side":"yes"}}`);
}

function snapshotBody(seq: number, market: string): Uint8Array {
  return encoder.encode(`{"type":"orderbook_snapshot","sid":1,"seq":${seq},"msg":{"market_ticker":"${market}","market_id":"","yes_dollars_fp":[["0.4900","10.00"]],"no_dollars_fp":[["0.5000","10.00"]]}}`);
}

function message(data: Uint8Array, type: string, seq: number): RawMessage {
  return { data, connectionId: 1, receivedAt: Date.now(), type, sid: 1, seq, seqGap: false, gapSize: 0 };
}

/** Route and honour the router's backpressure (its promise). */
async function route(router: JetStreamRouter, m: RawMessage): Promise<void> {
  const wait = router.route(m);
  if (wait !== undefined) await wait;
}

async function idle(router: JetStreamRouter): Promise<void> {
  while (router.stats().inFlight > 0) await sleep(1);
}

/** One router pass over `bodies`, timed until the last ack. @returns frames/s. */
async function routerRate(url: string, bodies: readonly Uint8Array[], round: number): Promise<number> {
  const router = createJetStreamRouter({ servers: url, gathererId: `pub${round}`, stream: 'BENCH_PUB', subjectPrefix: 'bpub', provision: { storage: 'memory' } });
  await router.start();
  try {
    const t0 = performance.now();
    for (let i = 0; i < bodies.length; i++) await route(router, message(bodies[i]!, 'orderbook_delta', i + 1));
    await idle(router);
    return bodies.length / ((performance.now() - t0) / 1000);
  } finally {
    await router.stop();
  }
}

/** The six headers the router writes on a delta (gatherer, run, connection, sid, seq, receivedAt). */
function routerLikeHeaders(seq: number): ReturnType<typeof natsHeaders> {
  const h = natsHeaders();
  h.set(NATS_HEADERS.gatherer, 'plain');
  h.set(NATS_HEADERS.run, '0a1b2c3d4e5f');
  h.set(NATS_HEADERS.connection, '1');
  h.set(NATS_HEADERS.sid, '1');
  h.set(NATS_HEADERS.seq, String(seq));
  h.set(NATS_HEADERS.receivedAt, String(Date.now()));
  return h;
}

/**
 * The same bodies through `js.publish` with the same window (message ids unique per round), kept lean: a
 * counter and one waiter, not `Promise.race` over the window (which attaches a handler per pending publish).
 * @returns frames/s.
 */
async function plainRate(nc: NatsConnection, bodies: readonly Uint8Array[], round: number, markets: number, withHeaders: boolean): Promise<number> {
  const js = jetstream(nc);
  let inFlight = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const settle = (): void => {
    inFlight--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (error: unknown): void => {
    failure ??= error;
    settle();
  };
  const slot = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  const t0 = performance.now();
  for (let i = 0; i < bodies.length; i++) {
    while (inFlight >= WINDOW) await slot();
    inFlight++;
    const msgID = `plain${withHeaders ? 'h' : ''}.${round}.${i}`;
    const subject = `bpub.orderbook_delta.${marketOf(i % markets)}`;
    js.publish(subject, bodies[i]!, withHeaders ? { msgID, headers: routerLikeHeaders(i + 1) } : { msgID }).then(settle, fail);
  }
  while (inFlight > 0) await slot();
  if (failure !== undefined) throw failure;
  return bodies.length / ((performance.now() - t0) / 1000);
}

async function publishCase(context: BenchContext, url: string, nc: NatsConnection, jsm: JetStreamManager, plan: Plan, signal: AbortSignal) {
  const bodies = Array.from({ length: plan.publishFrames }, (_, i) => deltaBody(i + 1, marketOf(i % plan.markets)));
  const rates: Record<'router' | 'plain' | 'headers', number[]> = { router: [], plain: [], headers: [] };
  const variants = ['router', 'plain', 'headers'] as const;
  for (let round = 0; round < plan.publishRounds && !signal.aborted; round++) {
    // Rotate which goes first, and start each pass on an empty stream.
    for (let k = 0; k < variants.length; k++) {
      const which = variants[(round + k) % variants.length]!;
      rates[which].push(which === 'router' ? await routerRate(url, bodies, round) : await plainRate(nc, bodies, round, plan.markets, which === 'headers'));
      await jsm.streams.purge('BENCH_PUB');
    }
    const last = (v: number[]): number => Math.round(v.at(-1)!);
    context.log(`${NAME} publish round ${round + 1}: router ${last(rates.router)}/s, plain loop ${last(rates.plain)}/s, plain + headers ${last(rates.headers)}/s`);
  }
  await jsm.streams.delete('BENCH_PUB');
  const caseName = `publish ${plan.publishFrames.toLocaleString('en-US')} deltas, window ${WINDOW}`;
  const ratio = (v: number[]): string => (median(v) / median(rates.plain)).toFixed(2);
  return [
    row({ scenario: NAME, case: caseName, variant: 'router', metric: 'rate', unit: 'frames/s', note: `${ratio(rates.router)}x the plain loop` }, rates.router),
    row({ scenario: NAME, case: caseName, variant: 'raw', metric: 'rate', unit: 'frames/s', note: 'plain js.publish loop, same window, msgID only' }, rates.plain),
    row({ scenario: NAME, case: caseName, variant: 'raw + headers', metric: 'rate', unit: 'frames/s', note: `${ratio(rates.headers)}x: the plain loop with the router's 6 headers` }, rates.headers),
  ];
}

/** Publish snapshots then paced deltas through one router; measure route() → source yield per delta. */
async function e2eCase(context: BenchContext, url: string, jsm: JetStreamManager, plan: Plan, signal: AbortSignal) {
  const router = createJetStreamRouter({ servers: url, gathererId: 'e2e', stream: 'BENCH_E2E', subjectPrefix: 'be2e', provision: { storage: 'memory' } });
  await router.start();
  const source = createJetStreamSource({ servers: url, stream: 'BENCH_E2E', subjectPrefix: 'be2e', deliver: 'new' });
  const deltas = Math.round((plan.e2eRate * plan.e2eMs) / 1000);
  const sentAt = new Float64Array(plan.markets + deltas + 1);
  const latency = new Float64Array(deltas);
  let received = 0;
  try {
    await source.ready();
    const reading = (async () => {
      for await (const m of source) {
        if (m.type !== 'orderbook_delta' || m.seq === undefined) continue;
        latency[received++] = performance.now() - sentAt[m.seq]!;
        if (received === deltas) break;
      }
    })();
    let seq = 0;
    for (let i = 0; i < plan.markets; i++) {
      sentAt[++seq] = performance.now();
      await route(router, message(snapshotBody(seq, marketOf(i)), 'orderbook_snapshot', seq));
    }
    const t0 = performance.now();
    let sent = 0;
    while (sent < deltas && !signal.aborted) {
      const due = Math.min(deltas, Math.floor(((performance.now() - t0) * plan.e2eRate) / 1000));
      for (; sent < due; sent++) {
        sentAt[++seq] = performance.now();
        await route(router, message(deltaBody(seq, marketOf(sent % plan.markets)), 'orderbook_delta', seq));
      }
      await sleep(5);
    }
    const deadline = performance.now() + 10_000;
    while (received < sent && performance.now() < deadline) await sleep(10);
    await source.close();
    await reading;
    context.log(`${NAME} e2e: ${received}/${sent} deltas back`);
  } finally {
    await source.close();
    await router.stop();
    await jsm.streams.delete('BENCH_E2E');
  }
  const sorted = latency.subarray(0, received).sort();
  const at = (q: number): number => sorted[Math.min(received - 1, Math.max(0, Math.ceil(q * received) - 1))]!;
  const caseName = `e2e ${plan.e2eRate.toLocaleString('en-US')} deltas/s, ${plan.markets} markets`;
  const note = `route() to source yield, ${received.toLocaleString('en-US')} deltas, one process`;
  return [
    row({ scenario: NAME, case: caseName, variant: 'router → source', metric: 'p50', unit: 'ms', note }, [at(0.5)]),
    row({ scenario: NAME, case: caseName, variant: 'router → source', metric: 'p99', unit: 'ms', note }, [at(0.99)]),
  ];
}

/**
 * Two replicas publish the same markets; the one the source reads most markets from stops.
 * @returns ms until each of its markets came from the other replica, and how many it held.
 */
async function failoverRound(url: string, plan: Plan, round: number, signal: AbortSignal): Promise<{ moved: number[]; held: number }> {
  const stream = { stream: 'BENCH_FO', subjectPrefix: 'bfo', provision: { storage: 'memory' as const } };
  const ids = [`a${round}`, `b${round}`];
  const replicas = ids.map((gathererId) => createJetStreamRouter({ servers: url, gathererId, ...stream }));
  for (const r of replicas) await r.start();
  const source = createJetStreamSource({ servers: url, stream: 'BENCH_FO', subjectPrefix: 'bfo', deliver: 'new', silenceMs: plan.silenceMs });
  const owner = new Map<string, string>();
  const movedAt = new Map<string, number>();
  let killedAt = Number.NaN;
  let killed = '';
  let victims = new Set<string>();
  try {
    await source.ready();
    const reading = (async () => {
      for await (const m of source) {
        if (!m.type.startsWith('orderbook')) continue;
        owner.set(m.marketTicker, m.gathererId);
        if (m.failover && victims.has(m.marketTicker) && m.gathererId !== killed && !movedAt.has(m.marketTicker)) {
          movedAt.set(m.marketTicker, performance.now() - killedAt);
        }
      }
    })();
    const alive = [true, true];
    const seqs = [0, 0];
    const send = async (g: number, body: (seq: number, market: string) => Uint8Array, type: string, market: string): Promise<void> => {
      const seq = ++seqs[g]!;
      await route(replicas[g]!, message(body(seq, market), type, seq));
    };
    for (let i = 0; i < plan.markets; i++) for (const g of [0, 1]) await send(g, snapshotBody, 'orderbook_snapshot', marketOf(i));
    // 1,000 deltas/s per replica; the reader's replica stops after 1.5 s, the other goes on until every market moved.
    const t0 = performance.now();
    let sent = 0;
    const limit = t0 + 1_500 + plan.silenceMs * 2 + 5_000;
    while (performance.now() < limit && !signal.aborted && (killed === '' || movedAt.size < victims.size)) {
      const due = Math.floor(performance.now() - t0);
      for (; sent < due; sent++) for (const g of [0, 1]) if (alive[g]) await send(g, deltaBody, 'orderbook_delta', marketOf(sent % plan.markets));
      if (killed === '' && performance.now() - t0 >= 1_500) {
        const counts = new Map<string, number>();
        for (const g of owner.values()) counts.set(g, (counts.get(g) ?? 0) + 1);
        killed = [...counts].sort((x, y) => y[1] - x[1])[0]?.[0] ?? ids[0]!;
        victims = new Set([...owner].filter(([, g]) => g === killed).map(([market]) => market));
        alive[ids.indexOf(killed)] = false;
        killedAt = performance.now();
      }
      await sleep(5);
    }
    await source.close();
    await reading;
  } finally {
    await source.close();
    for (const r of replicas) await r.stop();
  }
  return { moved: [...movedAt.values()], held: victims.size };
}

async function failoverCase(context: BenchContext, url: string, jsm: JetStreamManager, plan: Plan, signal: AbortSignal) {
  const medians: number[] = [];
  const worst: number[] = [];
  let missing = 0;
  for (let round = 0; round < plan.failoverRounds && !signal.aborted; round++) {
    const { moved, held } = await failoverRound(url, plan, round, signal);
    await jsm.streams.delete('BENCH_FO');
    missing += held - moved.length;
    if (moved.length === 0) continue;
    medians.push(median(moved));
    worst.push(Math.max(...moved));
    context.log(`${NAME} failover round ${round + 1}: ${moved.length}/${held} markets of the stopped replica moved, median ${Math.round(medians.at(-1)!)} ms, last ${Math.round(worst.at(-1)!)} ms`);
  }
  const caseName = `failover, silenceMs ${plan.silenceMs.toLocaleString('en-US')}, ${plan.markets} markets`;
  const note = missing === 0 ? 'publishing stopped → first message from the replica' : `${missing} market(s) never moved`;
  return [
    row({ scenario: NAME, case: caseName, variant: 'source', metric: 'median market', unit: 'ms', note }, medians),
    row({ scenario: NAME, case: caseName, variant: 'source', metric: 'last market', unit: 'ms', note }, worst),
  ];
}

/** The nats scenario. */
export const nats: Scenario = {
  name: NAME,
  budgetMs: (quick) => (quick ? 50_000 : 180_000),
  async run(context, signal) {
    const plan = context.quick ? QUICK : FULL;
    const server = await startBenchNats();
    if (server === undefined) {
      context.log(NATS_SKIP_LINE);
      return [skippedRow(NAME, '-', '-', 'no nats-server on PATH and NATS_URL unset')];
    }
    context.log(`${NAME}: ${server.description} at ${server.url}`);
    let nc: NatsConnection | undefined;
    try {
      nc = await connect({ servers: server.url, timeout: 5_000, noAsyncTraces: true });
      const jsm = await jetstreamManager(nc);
      const rows = await publishCase(context, server.url, nc, jsm, plan, signal);
      if (!signal.aborted) rows.push(...(await e2eCase(context, server.url, jsm, plan, signal)));
      if (!signal.aborted) rows.push(...(await failoverCase(context, server.url, jsm, plan, signal)));
      return rows;
    } finally {
      await nc?.close().catch(() => undefined);
      await server.stop();
    }
  },
};
