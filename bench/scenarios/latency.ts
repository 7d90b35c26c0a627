/**
 * Latency: a paced stream (50k frames/s in total over 8 connections), each frame stamped with its
 * send time (sub-ms `ts_ms`) by the server; each variant records arrival-to-consumer latency
 * (consumer time minus stamp) after a warm-up. Reports p50, p99 and p99.9 per variant, medians over
 * rounds with the per-round min-max.
 */
import type { TrialSpec } from '../client/worker';
import type { BenchContext, Scenario } from '../lib/context';
import type { ResultRow } from '../lib/results';
import { row, skippedRow } from '../lib/results';
import type { StreamSource } from '../lib/stream-source';
import { streamSource } from '../lib/stream-source';
import { isSkip, pickVariants, prepareTrial, skipReason } from '../lib/trial';

const NAME = 'latency';
const CONNECTIONS = 8;
const RATE = 50_000;
const MARKETS_PER_CONNECTION = 10;

interface Percentiles {
  readonly count: number;
  readonly seen: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly gaps: number;
}

async function trial(
  context: BenchContext,
  source: StreamSource,
  variant: TrialSpec['variant'],
  durationMs: number,
  warmupMs: number,
): Promise<Percentiles> {
  const target = await source.prepare(CONNECTIONS, MARKETS_PER_CONNECTION);
  const spec: TrialSpec = {
    mode: 'latency',
    variant,
    url: target.url,
    connections: CONNECTIONS,
    ...(target.auth === undefined ? {} : { auth: target.auth }),
    ...(target.markets === undefined ? {} : { markets: target.markets }),
    warmupFrames: 0,
    expectedFrames: Number.MAX_SAFE_INTEGER,
    warmupMs,
    maxSamples: Math.ceil((RATE * durationMs) / 1000),
    timeoutMs: 60_000,
  };
  const prepared = await prepareTrial(context, spec);
  try {
    await source.pace(RATE, durationMs);
    // Let the last paced frames arrive before reading the percentiles.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return await prepared.child.rpc.call<Percentiles & Record<string, number>>('latency', null, 30_000);
  } finally {
    await prepared.close();
    await source.reset();
  }
}

/** The latency scenario. */
export const latency: Scenario = {
  name: NAME,
  budgetMs: (quick) => (quick ? 60_000 : 200_000),
  async run(context, signal) {
    const source = streamSource(context);
    if (source.kind !== 'firehose' && !source.canPace) {
      return [skippedRow(NAME, `${RATE / 1000}k/s ${CONNECTIONS} conns`, '-', 'the stream source cannot pace')];
    }
    const variants = pickVariants(context, ['raw', 'json', 'scan', 'sdk', 'sdk-native']);
    const durationMs = context.quick ? 2_000 : 4_000;
    const warmupMs = context.quick ? 500 : 1_000;
    const caseName = `${RATE / 1000}k/s ${CONNECTIONS} conns`;
    const p50 = new Map<string, number[]>();
    const p99 = new Map<string, number[]>();
    const p999 = new Map<string, number[]>();
    const skipped = new Map<string, string>();
    for (let round = 0; round < context.rounds; round++) {
      for (const variant of variants) {
        if (signal.aborted) break;
        if (skipped.has(variant)) continue;
        try {
          const result = await trial(context, source, variant, durationMs, warmupMs);
          if (result.count === 0) throw new Error(`${variant}: no latency samples (${result.seen} frames seen)`);
          (p50.get(variant) ?? p50.set(variant, []).get(variant)!).push(result.p50);
          (p99.get(variant) ?? p99.set(variant, []).get(variant)!).push(result.p99);
          (p999.get(variant) ?? p999.set(variant, []).get(variant)!).push(result.p999);
          context.log(
            `${NAME} round ${round + 1} ${variant}: p50 ${result.p50.toFixed(3)} ms, p99 ${result.p99.toFixed(3)} ms, ` +
              `p99.9 ${result.p999.toFixed(3)} ms (${result.count} samples)`,
          );
        } catch (error) {
          // A failed trial is reported, not fatal: the other variants' numbers still count.
          const why = isSkip(error) ? skipReason(error) : `failed: ${error instanceof Error ? error.message : String(error)}`;
          if (!isSkip(error)) context.log(`${NAME} ${variant}: ${why}`);
          skipped.set(variant, why);
        }
      }
    }
    const rows: ResultRow[] = [];
    for (const variant of variants) {
      const why = skipped.get(variant);
      if (why !== undefined && (p50.get(variant)?.length ?? 0) === 0) {
        rows.push(skippedRow(NAME, caseName, variant, why));
        continue;
      }
      const base = { scenario: NAME, case: caseName, variant };
      const got = p50.get(variant)?.length ?? 0;
      const partial = got < context.rounds ? { note: `partial: ${got}/${context.rounds} rounds` } : {};
      rows.push(row({ ...base, metric: 'p50', unit: 'ms', ...partial }, p50.get(variant) ?? []));
      rows.push(row({ ...base, metric: 'p99', unit: 'ms', note: 'target: sdk <= 1.2x raw' }, p99.get(variant) ?? []));
      rows.push(row({ ...base, metric: 'p99.9', unit: 'ms' }, p999.get(variant) ?? []));
    }
    return rows;
  },
};
