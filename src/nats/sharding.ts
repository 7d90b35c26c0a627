/**
 * Deterministic sharding of the market universe over N gatherers, by event ticker, as a `Registry` wrapper.
 * @packageDocumentation
 */
import { ConfigError } from '../errors';
import type { MarketChange, MarketChangeListener, Registry } from '../ports/registry';

/**
 * The event ticker of a market ticker: everything before the last `-`
 * (`KXBTCD-26NOV2317-T98999.99` → `KXBTCD-26NOV2317`). A ticker without `-` is its own event.
 * @example
 * eventTickerOf('KXBTCD-26NOV2317-T98999.99') // 'KXBTCD-26NOV2317'
 */
export function eventTickerOf(marketTicker: string): string {
  const at = marketTicker.lastIndexOf('-');
  return at <= 0 ? marketTicker : marketTicker.slice(0, at);
}

/** 32-bit FNV-1a: stable across processes, platforms and versions (unlike a seeded hash). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The shard (0-based) a market belongs to: FNV-1a of its event ticker, modulo `shards`. An event's
 * markets always land on the same shard.
 * @throws {ConfigError} when `shards` is not an integer >= 1.
 * @example
 * shardOf('KXBTCD-26NOV2317-T98999.99', 2) // 0 or 1, the same everywhere
 */
export function shardOf(marketTicker: string, shards: number, eventOf: (ticker: string) => string = eventTickerOf): number {
  if (!Number.isInteger(shards) || shards < 1) throw new ConfigError('shards', `must be an integer >= 1, got ${String(shards)}`);
  return fnv1a(eventOf(marketTicker)) % shards;
}

/** Options of {@link createShardedRegistry}. */
export interface ShardOptions {
  /** This gatherer's shard, `0 .. shards - 1`. */
  readonly shard: number;
  /** Number of shards. */
  readonly shards: number;
  /** Event ticker of a market. @default eventTickerOf (the part before the last `-`) */
  readonly eventOf?: (marketTicker: string) => string;
}

/**
 * Wrap a registry so the pool holds only this shard's markets. Lifecycle frames, `start` and `stop` pass
 * through. Run two gatherers with the same `shard` for hot replicas.
 * @throws {ConfigError} for a bad `shard`/`shards`.
 * @example
 * const registry = createShardedRegistry(createMemoryRegistry(tickers), { shard: 0, shards: 2 });
 */
export function createShardedRegistry(inner: Registry, options: ShardOptions): Registry {
  const { shards, shard } = options;
  if (!Number.isInteger(shards) || shards < 1) throw new ConfigError('shards', `must be an integer >= 1, got ${String(shards)}`);
  if (!Number.isInteger(shard) || shard < 0 || shard >= shards) throw new ConfigError('shard', `must be an integer in 0..${shards - 1}, got ${String(shard)}`);
  const eventOf = options.eventOf ?? eventTickerOf;
  const mine = (ticker: string): boolean => shardOf(ticker, shards, eventOf) === shard;
  const wrapped: Registry = {
    async markets(signal?: AbortSignal): Promise<Iterable<string>> {
      return [...(await inner.markets(signal))].filter(mine);
    },
    onChange(listener: MarketChangeListener): () => void {
      return inner.onChange((changes: readonly MarketChange[]) => {
        const kept = changes.filter((c) => mine(c.ticker));
        if (kept.length > 0) listener(kept);
      });
    },
  };
  if (inner.onLifecycle) wrapped.onLifecycle = inner.onLifecycle.bind(inner);
  if (inner.start) wrapped.start = inner.start.bind(inner);
  if (inner.stop) wrapped.stop = inner.stop.bind(inner);
  return wrapped;
}
