/**
 * An in-memory {@link Registry}: a set of tickers changed at runtime with `add`/`remove`, and kept in
 * step with Kalshi's lifecycle frames (created/activated add, deactivated/determined/settled remove).
 * @packageDocumentation
 */
import { isValidTicker } from '../internal/ticker';
import type { MarketChange, MarketChangeListener, Registry } from '../ports/registry';
import type { RawMessage } from '../raw-message';
import { readLifecycleChange } from './lifecycle-event';

/** The in-memory registry's own API on top of {@link Registry}. */
export interface MemoryRegistry extends Registry {
  /** Markets held now. */
  readonly size: number;
  /** The current markets (a copy). */
  markets(): string[];
  /** Whether `ticker` is held. */
  has(ticker: string): boolean;
  /**
   * Tickers refused so far (from `initial`, `add` or lifecycle frames): not 1-128 characters of
   * `A-Z a-z 0-9 - . _` (see docs/security.md). They are dropped, never thrown.
   */
  readonly droppedTickers: number;
  /** Add markets; listeners hear the ones that were new. Invalid tickers are dropped and counted in `droppedTickers`. */
  add(...tickers: string[]): void;
  /** Remove markets; listeners hear the ones that were held. */
  remove(...tickers: string[]): void;
  /** Apply a lifecycle frame (the manager calls this for every `market_lifecycle_v2` frame). */
  onLifecycle(message: RawMessage): void;
}

/**
 * Creates an in-memory registry.
 * @param initial Markets held from the start.
 * @example
 * const registry = createMemoryRegistry(['KXBTCD-26NOV2317-T98999.99']);
 * const manager = createConnectionManager({ url, signer, registry });
 * registry.add('KXETHD-26NOV2317-T3999.99'); // subscribed in the next batch
 */
export function createMemoryRegistry(initial: Iterable<string> = []): MemoryRegistry {
  const held = new Set<string>();
  const listeners = new Set<MarketChangeListener>();
  let droppedTickers = 0;
  const drop = (): void => {
    droppedTickers++;
  };
  for (const ticker of initial) {
    if (isValidTicker(ticker)) held.add(ticker);
    else drop();
  }

  function publish(changes: MarketChange[]): void {
    if (changes.length === 0) return;
    for (const listener of [...listeners]) listener(changes);
  }

  function add(...tickers: string[]): void {
    const changes: MarketChange[] = [];
    for (const ticker of tickers) {
      if (held.has(ticker)) continue;
      if (!isValidTicker(ticker)) {
        drop();
        continue;
      }
      held.add(ticker);
      changes.push({ kind: 'added', ticker });
    }
    publish(changes);
  }

  function remove(...tickers: string[]): void {
    const changes: MarketChange[] = [];
    for (const ticker of tickers) {
      if (!held.delete(ticker)) continue;
      changes.push({ kind: 'removed', ticker });
    }
    publish(changes);
  }

  function onLifecycle(message: RawMessage): void {
    // created/activated add, deactivated/determined/settled remove (docs/protocol.md "Data frames").
    const change = readLifecycleChange(message, drop);
    if (change === undefined) return;
    if (change.action === 'add') add(change.ticker);
    else remove(change.ticker);
  }

  return {
    get size() {
      return held.size;
    },
    get droppedTickers() {
      return droppedTickers;
    },
    markets: () => [...held],
    has: (ticker) => held.has(ticker),
    add,
    remove,
    onLifecycle,
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
