/**
 * The full SDK pipeline as a variant: `createConnectionManager` (real KalshiClient, envelope scan,
 * seq tracking, gap flags, output queue) read with `for await` over the manager (`sdk`) or over
 * `manager.batches()` (`sdk-batches`, one await per batch of queued messages), against the simulator;
 * `sdk-noutf8` is `sdk` with the client option `skipUTF8Validation`; `sdk-native` is `sdk` with the client
 * option `transport: 'native'` (the SDK's own WebSocket reader instead of `ws`).
 * Exports are looked up at run time so the bench runs (and says "skipped") before the manager exists.
 */
import type { KalshiSigner, RawMessage, Registry } from 'kalshi-ws-pool';
import { createKalshiSigner } from 'kalshi-ws-pool';
import type { Sink } from './raw-variants';
import type { BenchAuth } from './sockets';

/** The manager surface the bench uses (a subset of the real one). */
export interface BenchManager extends AsyncIterable<RawMessage> {
  start(signal?: AbortSignal): Promise<void>;
  batches?(maxBatch?: number): AsyncIterable<RawMessage[]>;
  stop(): Promise<void>;
  stats(): unknown;
}

/** The subset of manager options the bench sets. */
export interface BenchManagerOptions {
  readonly url: string;
  readonly signer: KalshiSigner;
  readonly registry: Registry;
  readonly layout?: { ticker: number; trade: number; lifecycle: number; orderbook: number };
  readonly marketsPerConnection?: number;
  readonly minHealthyConnections?: number;
  readonly maxTickersPerCommand?: number;
  readonly admission?: { dialsPerSecond?: number; burst?: number; jitterMs?: number };
  readonly commandsPerSecond?: number;
  readonly reconnect?: { initialDelayMs?: number; randomize?: boolean };
  readonly repair?: { enabled?: boolean };
  readonly client?: BenchClientOptions;
}

/** The client options the bench varies. */
export interface BenchClientOptions {
  readonly skipUTF8Validation?: boolean;
  readonly transport?: 'ws' | 'native';
}

/** The memory registry surface the bench uses. */
export type BenchRegistry = Registry;

/** The SDK factories, or why they cannot be used yet. */
export type SdkFactories =
  | {
      readonly ok: true;
      readonly createConnectionManager: (options: BenchManagerOptions) => BenchManager;
      readonly createMemoryRegistry: (initial?: Iterable<string>) => BenchRegistry;
    }
  | { readonly ok: false; readonly why: string };

/** Looks up `createConnectionManager` and `createMemoryRegistry` in `kalshi-ws-pool`. */
export async function loadSdk(): Promise<SdkFactories> {
  let sdk: Readonly<Record<string, unknown>>;
  try {
    sdk = (await import('kalshi-ws-pool')) as Readonly<Record<string, unknown>>;
  } catch (error) {
    return { ok: false, why: `kalshi-ws-pool failed to load (${error instanceof Error ? error.message : String(error)})` };
  }
  const missing = ['createConnectionManager', 'createMemoryRegistry'].filter((name) => typeof sdk[name] !== 'function');
  if (missing.length > 0) return { ok: false, why: `kalshi-ws-pool does not export ${missing.join(', ')} yet` };
  return {
    ok: true,
    createConnectionManager: sdk['createConnectionManager'] as (options: BenchManagerOptions) => BenchManager,
    createMemoryRegistry: sdk['createMemoryRegistry'] as (initial?: Iterable<string>) => BenchRegistry,
  };
}

/** A running SDK consumer. */
export interface SdkRun {
  gaps(): number;
  stop(): Promise<void>;
}

/** What the SDK variant needs from the trial. */
export interface SdkTrial {
  readonly url: string;
  readonly connections: number;
  readonly auth?: BenchAuth | undefined;
  readonly markets?: readonly (readonly string[])[] | undefined;
  readonly timeoutMs: number;
}

/**
 * Starts a manager with `connections` orderbook slots holding the trial's markets, waits until every
 * snapshot was consumed, then feeds each later orderbook_delta to `sink` from a `for await` loop
 * (over the manager, or over `manager.batches()` when `batches`).
 * @throws Error starting with `skipped:` when the SDK pieces are not there or the trial has no simulator.
 */
export async function startSdkConsumer(trial: SdkTrial, sink: Sink, batches = false, client: BenchClientOptions = {}): Promise<SdkRun> {
  const sdk = await loadSdk();
  if (!sdk.ok) throw new Error(`skipped: ${sdk.why}`);
  if (trial.auth === undefined || trial.markets === undefined) throw new Error('skipped: the SDK variant needs the simulator');
  const all = trial.markets.flat();
  const perConnection = Math.max(1, ...trial.markets.map((list) => list.length));
  const registry = sdk.createMemoryRegistry(all);
  const manager = sdk.createConnectionManager({
    url: trial.url,
    signer: createKalshiSigner({ keyId: trial.auth.keyId, privateKey: trial.auth.privateKeyPem }),
    registry,
    layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: trial.connections },
    marketsPerConnection: perConnection,
    minHealthyConnections: trial.connections,
    admission: { dialsPerSecond: 1_000, burst: trial.connections, jitterMs: 0 },
    commandsPerSecond: 10_000,
    ...(Object.keys(client).length > 0 ? { client } : {}),
  });
  if (batches && typeof manager.batches !== 'function') throw new Error('skipped: the manager has no batches()');
  const deadline = AbortSignal.timeout(trial.timeoutMs);
  await manager.start(deadline);

  let gaps = 0;
  let snapshots = 0;
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  // The two loops have the same body, written out in each so neither pays for a call per message.
  const loop = batches
    ? (async () => {
        for await (const batch of manager.batches!()) {
          for (const message of batch) {
            if (message.seqGap) gaps++;
            if (message.type === 'orderbook_delta') sink(message.data);
            else if (message.type === 'orderbook_snapshot' && ++snapshots === all.length) resolveReady();
          }
        }
      })()
    : (async () => {
        for await (const message of manager) {
          if (message.seqGap) gaps++;
          if (message.type === 'orderbook_delta') sink(message.data);
          else if (message.type === 'orderbook_snapshot' && ++snapshots === all.length) resolveReady();
        }
      })();
  loop.catch(() => undefined);
  await Promise.race([
    ready,
    new Promise((_resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sdk: ${all.length - snapshots} snapshots missing`)), trial.timeoutMs);
      void ready.then(() => clearTimeout(timer));
    }),
  ]);
  return {
    gaps: () => gaps,
    async stop() {
      await manager.stop();
      await loop.catch(() => undefined);
    },
  };
}
