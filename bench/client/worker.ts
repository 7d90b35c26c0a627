/**
 * Client child process: runs ONE variant of one trial and reports over IPC, then exits. A fresh
 * process per trial keeps JIT state, heap and GC history of one variant out of the next.
 *
 * RPC: `prepare(trial)` connects and subscribes (resolves when the stream may start),
 * `run()` resolves with the throughput sample once the expected frames were consumed,
 * `latency()` returns the latency percentiles recorded so far.
 */
import type WebSocket from 'ws';
import type { Json } from '../lib/ipc';
import { serveRpc } from '../lib/ipc';
import { readTsMs } from '../lib/frames';
import { quantile } from '../lib/stats';
import { LatencyRecorder, Meter } from './meter';
import type { RawVariant, Sink } from './raw-variants';
import { makeConsumer } from './raw-variants';
import type { BenchAuth } from './sockets';
import { openSockets } from './sockets';
import type { SdkRun } from './sdk-variant';
import { startSdkConsumer } from './sdk-variant';

/** The SDK variants: `sdk`, over the native transport (`-native`), read in batches (`-batches`), without the UTF-8 check (`-noutf8`). */
export type SdkVariantName = 'sdk' | 'sdk-batches' | 'sdk-noutf8' | 'sdk-native' | 'sdk-native-batches' | 'sdk-native-noutf8';

function isSdkVariant(variant: RawVariant | SdkVariantName): variant is SdkVariantName {
  return variant.startsWith('sdk');
}

/** One trial, as sent by the orchestrator. */
export interface TrialSpec {
  readonly mode: 'throughput' | 'latency';
  readonly variant: RawVariant | SdkVariantName;
  readonly url: string;
  readonly connections: number;
  readonly auth?: BenchAuth;
  readonly markets?: readonly (readonly string[])[];
  /** Throughput: frames consumed before the clock starts. */
  readonly warmupFrames: number;
  /** Throughput: total frames the stream will carry. */
  readonly expectedFrames: number;
  /** Latency: ms of arrivals ignored at first. */
  readonly warmupMs: number;
  /** Latency: samples kept at most. */
  readonly maxSamples: number;
  readonly timeoutMs: number;
}

let sockets: WebSocket[] = [];
let meter: Meter | undefined;
let recorder: LatencyRecorder | undefined;
let gaps: () => number = () => 0;
let sdk: SdkRun | undefined;

async function prepare(params: Json): Promise<Json> {
  const spec = params as unknown as TrialSpec;
  const m = new Meter(spec.warmupFrames, spec.expectedFrames);
  const r = new LatencyRecorder(spec.maxSamples, spec.warmupMs);
  meter = m;
  recorder = r;
  const sink: Sink = spec.mode === 'throughput' ? () => m.tick() : (data) => r.record(readTsMs(data));
  const name = spec.variant;
  if (isSdkVariant(name)) {
    const client = {
      ...(name.includes('noutf8') ? { skipUTF8Validation: true } : {}),
      ...(name.includes('native') ? { transport: 'native' as const } : {}),
    };
    sdk = await startSdkConsumer(spec, sink, name.includes('batches'), client);
    gaps = () => sdk?.gaps() ?? 0;
    return { ready: true };
  }
  const consumer = await makeConsumer(name, spec.connections, sink);
  gaps = consumer.gaps;
  sockets = await openSockets(spec, spec.timeoutMs);
  sockets.forEach((ws, index) => {
    ws.on('message', (data: Buffer) => consumer.consume(index, data));
  });
  return { ready: true };
}

async function run(): Promise<Json> {
  if (meter === undefined) throw new Error('run before prepare');
  const sample = await meter.done;
  return { ...sample, gaps: gaps() };
}

function latency(): Json {
  if (recorder === undefined) throw new Error('latency before prepare');
  const { samples, count, seen } = recorder;
  return {
    seen,
    count,
    p50: quantile(samples, count, 0.5),
    p99: quantile(samples, count, 0.99),
    p999: quantile(samples, count, 0.999),
    max: quantile(samples, count, 1),
    gaps: gaps(),
  };
}

async function shutdown(): Promise<never> {
  for (const ws of sockets) ws.terminate();
  await sdk?.stop();
  process.exit(0);
}

serveRpc(
  {
    prepare,
    run,
    latency,
    close: async () => {
      setImmediate(() => void shutdown());
      return null;
    },
  },
  () => void shutdown(),
);
process.on('SIGTERM', () => void shutdown());
