import type { AuthError } from '../errors';
import { ClosedError, isKalshiWsPoolError } from '../errors';
import type { TimerHandle } from '../ports/clock';
import type { MarketChange, MarketChangeListener, Registry } from '../ports/registry';
import type { RawMessage } from '../raw-message';
import { readLifecycleChange } from './lifecycle-event';
import { createMarketFilter } from './market-filter';
import type { PagerContext, RetryPolicy } from './rest-pager';
import { fetchOpenMarkets } from './rest-pager';
import { raceSignal } from '../internal/backoff';
import { isValidTicker, noteDroppedTicker } from '../internal/ticker';
import type { KalshiRestRegistryOptions, RestMarket } from './rest-registry-options';
import { resolveRestRegistryOptions, restRegistryDefaults } from './rest-registry-options';

/** A {@link Registry} backed by Kalshi's REST `GET /markets?status=open`, kept fresh by reconciliation and lifecycle frames. */
export interface KalshiRestRegistry extends Registry {
  /**
   * The open markets that pass the filter. The first call pages through REST; later calls return the current set.
   * @throws {AuthError} when Kalshi rejects the credentials (HTTP 401/403).
   * @throws {ConnectError} when REST stays unavailable (429/5xx/network) for `initialAttempts` tries.
   * @throws {ClosedError} after `stop()`.
   */
  markets(signal?: AbortSignal): Promise<readonly string[]>;
  /** Loads the set (as `markets()`) and starts reconciling every `reconcileIntervalMs`. Idempotent. */
  start(signal?: AbortSignal): Promise<void>;
  /** Stops reconciliation, aborts requests in flight and clears every timer. Idempotent. */
  stop(): Promise<void>;
  /**
   * Reconciles now: re-reads REST, emits the differences to `onChange` listeners and returns them.
   * Restarts the reconcile interval. On failure the last good set is kept.
   * @throws {AuthError} | {ConnectError} as `markets()`; {ClosedError} after `stop()`.
   */
  refresh(signal?: AbortSignal): Promise<readonly MarketChange[]>;
  /** Applies a `market_lifecycle_v2` frame at once: created/activated add, deactivated/determined/settled remove. */
  onLifecycle(message: RawMessage): void;
  /** Number of markets in the current set. */
  readonly size: number;
}

const noop = (): void => {};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates a registry of Kalshi's open markets from REST. Pages `GET {baseUrl}/markets?status=open` (signed),
 * then every `reconcileIntervalMs` re-reads it and emits one batch of `added`/`removed` changes. Lifecycle
 * frames apply immediately. Background failures never throw: 401/403 is logged once per streak, 429 and
 * 5xx/network errors are retried with backoff, and the last good set is kept.
 * @throws {ConfigError} at once, naming the invalid option.
 * @example
 * const registry = createKalshiRestRegistry({
 *   baseUrl: KALSHI_REST_URLS.demo,
 *   signer: createKalshiSigner({ keyId, privateKey }),
 *   filter: { seriesPrefixes: ['KXBTC'] },
 * });
 * const manager = createConnectionManager({ registry, ... });
 */
export function createKalshiRestRegistry(options: KalshiRestRegistryOptions): KalshiRestRegistry {
  const resolved = resolveRestRegistryOptions(options);
  const { clock, logger, predicate, reconcileIntervalMs } = resolved;
  const filter = createMarketFilter(resolved);
  const context: PagerContext = resolved;
  const bounded: RetryPolicy = { kind: 'bounded', attempts: restRegistryDefaults.initialAttempts };
  const background: RetryPolicy = { kind: 'background' };

  const listeners = new Set<MarketChangeListener>();
  const lifetime = new AbortController();
  let current = new Set<string>();
  // Every market object of the last pass, kept only when a predicate needs it for lifecycle re-activations.
  let seen: Map<string, RestMarket> | undefined;
  let loaded = false;
  let loading: Promise<void> | undefined;
  let starting: Promise<void> | undefined;
  let started = false;
  let stopping: Promise<void> | undefined;
  // Passes run one at a time; this is the tail of the queue.
  let chain: Promise<unknown> = Promise.resolve();
  // Lifecycle decisions made while a pass is in flight: they are newer than the REST snapshot and win over it.
  let touched: Map<string, 'add' | 'remove'> | undefined;
  let timer: TimerHandle | undefined;
  let authFailing = false;

  function emit(changes: readonly MarketChange[]): void {
    if (changes.length === 0) return;
    for (const listener of [...listeners]) {
      try {
        listener(changes);
      } catch (error) {
        logger.error({ error: errorText(error) }, 'kalshi rest registry: change listener threw');
      }
    }
  }

  async function pass(policy: RetryPolicy, signal: AbortSignal): Promise<readonly MarketChange[]> {
    const next = new Set<string>();
    const nextSeen = predicate === undefined ? undefined : new Map<string, RestMarket>();
    touched ??= new Map();
    try {
      await fetchOpenMarkets(context, policy, signal, (market) => {
        if (!isValidTicker(market.ticker)) {
          noteDroppedTicker(logger, 'kalshi rest registry: GET /markets', market.ticker);
          return;
        }
        nextSeen?.set(market.ticker, market);
        if (filter.acceptsMarket(market)) next.add(market.ticker);
      });
      for (const [ticker, action] of touched) {
        if (action === 'add') next.add(ticker);
        else next.delete(ticker);
      }
    } finally {
      touched = undefined;
    }
    const changes: MarketChange[] = [];
    for (const ticker of current) if (!next.has(ticker)) changes.push({ kind: 'removed', ticker });
    for (const ticker of next) if (!current.has(ticker)) changes.push({ kind: 'added', ticker });
    const first = !loaded;
    current = next;
    seen = nextSeen;
    loaded = true;
    if (authFailing) logger.info({}, 'kalshi rest registry: credentials accepted again');
    authFailing = false;
    // The first set is read through markets(), not announced.
    if (first) return [];
    emit(changes);
    return changes;
  }

  function enqueue(policy: RetryPolicy, signal: AbortSignal): Promise<readonly MarketChange[]> {
    const run = chain.then(() => {
      signal.throwIfAborted();
      return pass(policy, signal);
    });
    chain = run.catch(noop);
    return run;
  }

  function ensureLoaded(): Promise<void> {
    if (loaded) return Promise.resolve();
    loading ??= enqueue(bounded, lifetime.signal).then(
      () => {
        loading = undefined;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  }

  function closed(what: string): Promise<never> {
    return Promise.reject(new ClosedError(`kalshi rest registry: ${what} after stop()`));
  }

  function schedule(): void {
    if (stopping !== undefined || !started || timer !== undefined) return;
    timer = clock.setTimeout(reconcile, reconcileIntervalMs);
  }

  function reconcile(): void {
    timer = undefined;
    enqueue(background, lifetime.signal)
      .catch((error: unknown) => {
        if (lifetime.signal.aborted) return;
        if (isKalshiWsPoolError(error, 'KWP_AUTH')) {
          // Once per streak: a rejected key stays rejected until someone fixes it.
          if (!authFailing) {
            logger.error(
              { status: (error as AuthError).status, markets: current.size },
              'kalshi rest registry: credentials rejected; keeping the last good set and retrying on the interval',
            );
          }
          authFailing = true;
          return;
        }
        logger.warn(
          { error: errorText(error), markets: current.size },
          'kalshi rest registry: reconcile failed; keeping the last good set',
        );
      })
      .finally(schedule);
  }

  function dropLifecycleTicker(ticker: string): void {
    noteDroppedTicker(logger, 'kalshi rest registry: lifecycle frame', ticker);
  }

  function applyLifecycle(message: RawMessage): void {
    if (stopping !== undefined) return;
    const change = readLifecycleChange(message, dropLifecycleTicker);
    if (change === undefined) return;
    const { ticker } = change;
    // Before the first load, remember decisions too: the coming snapshot may predate them.
    if (!loaded) touched ??= new Map();
    if (change.action === 'add') {
      const known = seen?.get(ticker);
      const accepted =
        known === undefined ? filter.acceptsTickers(ticker, change.eventTicker, undefined) : filter.acceptsMarket(known);
      if (!accepted) return;
      touched?.set(ticker, 'add');
      if (current.has(ticker)) return;
      current.add(ticker);
      emit([{ kind: 'added', ticker }]);
    } else {
      touched?.set(ticker, 'remove');
      if (!current.delete(ticker)) return;
      emit([{ kind: 'removed', ticker }]);
    }
  }

  return {
    get size() {
      return current.size;
    },
    async markets(signal) {
      if (stopping !== undefined) return closed('markets()');
      await raceSignal(ensureLoaded(), signal);
      return [...current];
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    onLifecycle(message) {
      try {
        applyLifecycle(message);
      } catch (error) {
        // A bad frame or a throwing predicate must not break the pool's read loop.
        logger.warn({ error: errorText(error) }, 'kalshi rest registry: lifecycle frame not applied');
      }
    },
    start(signal) {
      if (stopping !== undefined) return closed('start()');
      if (started) return Promise.resolve();
      starting ??= raceSignal(ensureLoaded(), signal).then(
        () => {
          starting = undefined;
          if (stopping !== undefined) throw new ClosedError('kalshi rest registry: stopped while starting');
          started = true;
          schedule();
        },
        (error: unknown) => {
          starting = undefined;
          throw error;
        },
      );
      return starting;
    },
    async refresh(signal) {
      if (stopping !== undefined) return closed('refresh()');
      if (!loaded) {
        await raceSignal(ensureLoaded(), signal);
        return [];
      }
      const combined = signal === undefined ? lifetime.signal : AbortSignal.any([lifetime.signal, signal]);
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      try {
        return await enqueue(bounded, combined);
      } finally {
        schedule();
      }
    },
    stop() {
      stopping ??= (async () => {
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = undefined;
        lifetime.abort(new ClosedError('kalshi rest registry stopped'));
        // Let the aborted pass unwind so its request timer is cleared before stop() resolves.
        await chain;
        listeners.clear();
      })();
      return stopping;
    },
  };
}
