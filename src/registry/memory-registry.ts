/**
 * An in-memory {@link Registry}: a set of tickers changed at runtime with `add`/`remove`, and kept in
 * step with Kalshi's lifecycle frames (created/activated add, deactivated/determined/settled remove).
 * @packageDocumentation
 */
import type { MarketChange, MarketChangeListener, Registry } from '../ports/registry';
import type { RawMessage } from '../raw-message';
import { scanEnvelope } from '../protocol/kalshi/envelope-scanner';

/** The in-memory registry's own API on top of {@link Registry}. */
export interface MemoryRegistry extends Registry {
  /** Markets held now. */
  readonly size: number;
  /** The current markets (a copy). */
  markets(): string[];
  /** Whether `ticker` is held. */
  has(ticker: string): boolean;
  /** Add markets; listeners hear the ones that were new. */
  add(...tickers: string[]): void;
  /** Remove markets; listeners hear the ones that were held. */
  remove(...tickers: string[]): void;
  /** Apply a lifecycle frame (the manager calls this for every `market_lifecycle_v2` frame). */
  onLifecycle(message: RawMessage): void;
}

/** Lifecycle event types that make a market wanted / unwanted (docs/protocol.md "Data frames"). */
const ADD_EVENTS: ReadonlySet<string> = new Set(['created', 'activated']);
const REMOVE_EVENTS: ReadonlySet<string> = new Set(['deactivated', 'determined', 'settled']);

const decoder = new TextDecoder();

/**
 * Creates an in-memory registry.
 * @param initial Markets held from the start.
 * @example
 * const registry = createMemoryRegistry(['KXBTCD-26NOV2317-T98999.99']);
 * const manager = createConnectionManager({ url, signer, registry });
 * registry.add('KXETHD-26NOV2317-T3999.99'); // subscribed in the next batch
 */
export function createMemoryRegistry(initial: Iterable<string> = []): MemoryRegistry {
  const held = new Set<string>(initial);
  const listeners = new Set<MarketChangeListener>();

  function publish(changes: MarketChange[]): void {
    if (changes.length === 0) return;
    for (const listener of [...listeners]) listener(changes);
  }

  function add(...tickers: string[]): void {
    const changes: MarketChange[] = [];
    for (const ticker of tickers) {
      if (held.has(ticker)) continue;
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
    if (message.type !== 'market_lifecycle_v2') return; // event_lifecycle carries no market
    // Lifecycle frames are rare, so parsing their msg is fine here (never on the hot path).
    const scan = scanEnvelope(message.data);
    if (!scan.ok || scan.msgStart < 0) return;
    let msg: unknown;
    try {
      msg = JSON.parse(decoder.decode(message.data.subarray(scan.msgStart, scan.msgEnd)));
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const { market_ticker: ticker, event_type: eventType } = msg as Record<string, unknown>;
    if (typeof ticker !== 'string' || typeof eventType !== 'string') return;
    if (ADD_EVENTS.has(eventType)) add(ticker);
    else if (REMOVE_EVENTS.has(eventType)) remove(ticker);
  }

  return {
    get size() {
      return held.size;
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
