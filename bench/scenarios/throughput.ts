/**
 * Throughput: the same stream (N deltas per connection, as fast as the server can push) read by each
 * variant in turn, at 8 and 144 connections. Measures consumed frames/s and client CPU µs per frame
 * (process.cpuUsage over the measured window, after a 10 % warm-up).
 */
import type { TrialSpec } from '../client/worker';
import type { BenchContext, Scenario } from '../lib/context';
import type { ResultRow } from '../lib/results';
import { row, skippedRow } from '../lib/results';
import { streamSource } from '../lib/stream-source';
import { isSkip, pickVariants, prepareTrial, skipReason } from '../lib/trial';

const NAME = 'throughput';
const MARKETS_PER_CONNECTION = 10;

interface Sample {
  readonly frames: number;
  readonly wallMs: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly gaps: number;
}

/** Frames per connection for one trial: ~1 M frames in total (quick: ~0.5 M). */
function framesPerConnection(connections: number, quick: boolean): number {
  return Math.ceil((quick ? 400_000 : 1_000_000) / connections);
}

async function trial(
  context: BenchContext,
  variant: TrialSpec['variant'],
  connections: number,
): Promise<{ sample: Sample; serverBusy: number }> {
  const source = streamSource(context);
  const frames = framesPerConnection(connections, context.quick);
  const target = await source.prepare(connections, MARKETS_PER_CONNECTION);
  const expected = frames * connections;
  const spec: TrialSpec = {
    mode: 'throughput',
    variant,
    url: target.url,
    connections,
    ...(target.auth === undefined ? {} : { auth: target.auth }),
    ...(target.markets === undefined ? {} : { markets: target.markets }),
    warmupFrames: Math.floor(expected / 10),
    expectedFrames: expected,
    warmupMs: 0,
    maxSamples: 1,
    timeoutMs: 60_000,
  };
  const prepared = await prepareTrial(context, spec);
  try {
    const result = prepared.child.rpc.call<Sample & Record<string, number>>('run', null, 90_000);
    const server = await source.blast(frames, 90_000);
    const sample = await result;
    // Server CPU over the client's whole read time (the measured window covers 90 % of the frames):
    // near 100 % means the server, not the client, set the pace.
    const clientMs = (sample.wallMs * expected) / sample.frames;
    return { sample, serverBusy: server.serverCpuMs / Math.max(clientMs, server.serverWallMs) };
  } finally {
    await prepared.close();
    await source.reset();
  }
}

/** Rate targets of the SDK variants, as ratios to `raw` in the same run (issue #13). */
const TARGETS: Partial<Record<TrialSpec['variant'], string>> = {
  sdk: '0.80x raw',
  'sdk-batches': '0.85x raw',
  'sdk-noutf8': '1.0x raw',
  'sdk-native': '0.80x raw',
  'sdk-native-batches': '0.85x raw',
  'sdk-native-noutf8': '1.0x raw',
};

/** The throughput scenario. */
export const throughput: Scenario = {
  name: NAME,
  budgetMs: (quick) => (quick ? 90_000 : 360_000),
  async run(context, signal) {
    const variants = pickVariants(context, ['raw', 'json', 'scan', 'sdk', 'sdk-batches', 'sdk-noutf8', 'sdk-native', 'sdk-native-batches', 'sdk-native-noutf8']);
    const rows: ResultRow[] = [];
    for (const connections of [8, 144]) {
      const caseName = `${connections} conns`;
      const rates = new Map<string, number[]>();
      const cpus = new Map<string, number[]>();
      const busy = new Map<string, number[]>();
      const skipped = new Map<string, string>();
      let gaps = 0;
      for (let round = 0; round < context.rounds; round++) {
        for (const variant of variants) {
          if (signal.aborted) break;
          if (skipped.has(variant)) continue;
          try {
            const { sample, serverBusy } = await trial(context, variant, connections);
            gaps += sample.gaps;
            (rates.get(variant) ?? rates.set(variant, []).get(variant)!).push((sample.frames / sample.wallMs) * 1000);
            (cpus.get(variant) ?? cpus.set(variant, []).get(variant)!).push(
              ((sample.cpuUserMs + sample.cpuSystemMs) * 1000) / sample.frames,
            );
            (busy.get(variant) ?? busy.set(variant, []).get(variant)!).push(serverBusy * 100);
            context.log(
              `${NAME} ${caseName} round ${round + 1} ${variant}: ${Math.round((sample.frames / sample.wallMs) * 1000)} frames/s`,
            );
          } catch (error) {
            // A failed trial is reported, not fatal: the other variants' numbers still count.
            const why = isSkip(error) ? skipReason(error) : `failed: ${error instanceof Error ? error.message : String(error)}`;
            if (!isSkip(error)) context.log(`${NAME} ${variant}: ${why}`);
            skipped.set(variant, why);
          }
        }
      }
      for (const variant of variants) {
        const why = skipped.get(variant);
        if (why !== undefined && (rates.get(variant)?.length ?? 0) === 0) {
          rows.push(skippedRow(NAME, caseName, variant, why));
          continue;
        }
        const base = { scenario: NAME, case: caseName, variant };
        const got = rates.get(variant)?.length ?? 0;
        const target = TARGETS[variant];
        const note = got < context.rounds ? `partial: ${got}/${context.rounds} rounds` : target === undefined ? undefined : `target: >= ${target}`;
        rows.push(row({ ...base, metric: 'rate', unit: 'frames/s', ...(note === undefined ? {} : { note }) }, rates.get(variant) ?? []));
        rows.push(row({ ...base, metric: 'cpu', unit: 'µs/frame' }, cpus.get(variant) ?? []));
        rows.push(row({ ...base, metric: 'server busy', unit: '%', note: 'near 100 % = server-bound' }, busy.get(variant) ?? []));
      }
      if (gaps > 0) context.log(`${NAME} ${caseName}: ${gaps} seq gaps seen (expected 0)`);
    }
    return rows;
  },
};
