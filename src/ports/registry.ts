import type { RawMessage } from '../raw-message';

/** A market appeared in, or left, the set the pool should hold. */
export interface MarketChange {
  /** `added`: hold the market; `removed`: let it go. */
  readonly kind: 'added' | 'removed';
  /** Kalshi market ticker, e.g. `KXBTCD-26NOV2317-T98999.99`. */
  readonly ticker: string;
}

/** Called with a batch of changes, in order. */
export type MarketChangeListener = (changes: readonly MarketChange[]) => void;

/**
 * The consumer's market source. The pool subscribes to changes first, then reads the current set,
 * so nothing falls between the two; applying a change twice is harmless.
 */
export interface Registry {
  /** The markets to hold now. */
  markets(signal?: AbortSignal): Iterable<string> | Promise<Iterable<string>>;
  /** Listen for changes; returns a function that stops listening. */
  onChange(listener: MarketChangeListener): () => void;
  /** Receives every `market_lifecycle_v2` (and `event_lifecycle`) frame the pool reads, deduplicated. */
  onLifecycle?(message: RawMessage): void;
  /** Optional: start background work (e.g. REST reconciliation). Called by the manager's `start`. */
  start?(signal?: AbortSignal): Promise<void>;
  /** Optional: stop background work. Called by the manager's `stop`. */
  stop?(): Promise<void> | void;
}
