/**
 * The stream the throughput and latency variants read: the bench firehose, or the simulator's
 * `blast`. Both live in the server process; this is the orchestrator's handle on them.
 */
import type { BenchContext } from './context';
import type { Json } from './ipc';
import { tickersPerConnection } from './tickers';

/** Where a trial's clients connect and what they subscribe. */
export interface StreamTarget {
  readonly url: string;
  readonly auth?: BenchContext['auth'];
  readonly markets?: string[][];
}

/** Server-side stats of one blast or pace. */
export interface ServerWork {
  readonly serverCpuMs: number;
  readonly serverWallMs: number;
}

/** A stream the orchestrator can set up, run and reset. */
export interface StreamSource {
  readonly kind: 'firehose' | 'sim';
  /** Whether {@link StreamSource.pace} works. */
  readonly canPace: boolean;
  /** Starts (or reuses) the server side for `connections` clients of `marketsPerConnection` markets. */
  prepare(connections: number, marketsPerConnection: number): Promise<StreamTarget>;
  /** Sends `frames` deltas per connection (sid) as fast as possible. */
  blast(frames: number, timeoutMs: number): Promise<ServerWork>;
  /** Sends `rate` frames/s in total for `durationMs` (firehose only). */
  pace(rate: number, durationMs: number): Promise<ServerWork>;
  /** Drops every client connection. */
  reset(): Promise<void>;
}

/** The source of this run. */
export function streamSource(context: BenchContext): StreamSource {
  const rpc = context.server.rpc;
  if (context.source === 'firehose') {
    return {
      kind: 'firehose',
      canPace: true,
      async prepare(connections, marketsPerConnection) {
        const { url } = await rpc.call<{ url: string }>('firehose.start', null, 10_000);
        return { url, auth: context.auth, markets: tickersPerConnection(connections, marketsPerConnection) };
      },
      blast: (frames, timeoutMs) => rpc.call<Json>('firehose.blast', { frames }, timeoutMs) as Promise<never>,
      pace: (rate, durationMs) =>
        rpc.call<Json>('firehose.pace', { rate, durationMs }, durationMs + 10_000) as Promise<never>,
      async reset() {
        await rpc.call('firehose.reset', null, 10_000);
      },
    };
  }
  let current: { connections: number; per: number; url: string } | undefined;
  return {
    kind: 'sim',
    canPace: false,
    async prepare(connections, marketsPerConnection) {
      const markets = tickersPerConnection(connections, marketsPerConnection);
      if (current === undefined || current.connections * current.per < connections * marketsPerConnection) {
        const { url } = await rpc.call<{ url: string }>(
          'sim.start',
          { markets: connections * marketsPerConnection, publicKeyPem: context.auth.publicKeyPem },
          60_000,
        );
        current = { connections, per: marketsPerConnection, url };
      }
      return { url: current.url, auth: context.auth, markets };
    },
    blast: (frames, timeoutMs) => rpc.call<Json>('sim.blast', { frames }, timeoutMs) as Promise<never>,
    async pace() {
      throw new Error('pace needs the firehose');
    },
    async reset() {
      await rpc.call('sim.stop', null, 20_000);
      current = undefined;
    },
  };
}
