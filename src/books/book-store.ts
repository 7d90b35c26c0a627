import { scanEnvelope } from '../protocol/kalshi/envelope-scanner';
import { createEnvelopeScan } from '../protocol/kalshi/envelope';
import type { RawMessage } from '../raw-message';
import type { Router } from '../ports/router';
import type { TimerHandle } from '../ports/clock';
import { ClosedError } from '../errors';
import { FrameError } from '../frames/frame-error';
import { createBookFrameRead, readBookFrame } from '../frames/book-frame-reader';
import { parseFrame } from '../frames/parse-frame';
import { OrderBook } from './order-book';
import type { OrderBookView } from './order-book';
import { resolveBookStoreOptions } from './book-store-options';
import type { BookStoreOptions } from './book-store-options';
import type { RestOrderbook } from './rest-orderbook';

/**
 * Trust of one market's book:
 * - `live`: built from a stream snapshot and every delta since, no gap seen;
 * - `awaiting-snapshot`: no snapshot yet, or a gap/reconnect made it untrustworthy; waiting for the repair snapshot;
 * - `stale`: `awaiting-snapshot` for longer than `staleAfterMs` (eligible for the REST backup);
 * - `rest`: loaded over REST (see `restAgeMs`) and not yet replaced by a stream snapshot.
 */
export type BookState = 'live' | 'awaiting-snapshot' | 'stale' | 'rest';

/** What a book-store accessor returns: the state always, the book only when it can be trusted. */
export interface BookEntry {
  /** Market ticker. */
  readonly ticker: string;
  /** Trust state; see {@link BookState}. */
  readonly state: BookState;
  /** The book when `state` is `live` or `rest`; `undefined` otherwise (a stale book is never presented). */
  readonly book: OrderBookView | undefined;
  /** Last change applied, ms since the epoch (store clock); 0 when nothing was applied yet. */
  readonly updatedAt: number;
  /** When the book became untrusted (0 when trusted). */
  readonly untrustedSince: number;
  /** Age of the REST book in ms when `state` is `rest`, else undefined. */
  readonly restAgeMs: number | undefined;
}

/** The input the store needs: a pool `RawMessage`, or any object of that shape (e.g. from JetStream). */
export type BookInput = Pick<RawMessage, 'data' | 'connectionId' | 'type' | 'sid' | 'seq' | 'seqGap'>;

/** Counters of a book store (plain snapshot). */
export interface BookStoreStats {
  /** Markets held. */
  readonly markets: number;
  /** Markets in state `live`. */
  readonly live: number;
  /** Markets awaiting a snapshot or stale. */
  readonly untrusted: number;
  /** Markets holding a REST book. */
  readonly rest: number;
  /** Snapshots applied. */
  readonly snapshots: number;
  /** Delta frames read. */
  readonly deltas: number;
  /** Deltas for a market with no trusted book: flagged (state `awaiting-snapshot`) and not applied. */
  readonly deltasIgnored: number;
  /** Deltas that would have made a level negative: the book is marked untrusted. */
  readonly inconsistentDeltas: number;
  /** Malformed frames skipped. */
  readonly frameErrors: number;
  /** Messages flagged `seqGap` seen. */
  readonly gaps: number;
  /** REST book requests started. */
  readonly restRequests: number;
  /** REST book requests that failed. */
  readonly restFailures: number;
  /** Books dropped (lifecycle end or `drop`). */
  readonly droppedMarkets: number;
  /** Snapshots ignored because `maxMarkets` was reached. */
  readonly rejectedMarkets: number;
}

/** Called once per changed market with its new entry. */
export type BookChangeListener = (entry: BookEntry) => void;

/**
 * Gap-aware order books of many markets, fed with `RawMessage`s (it is also a {@link Router}).
 * See `docs/books.md`.
 */
export interface BookStore extends Router {
  /** Apply one message. Frames other than book, lifecycle and sid errors are ignored. Never throws on bad frames. */
  apply(message: BookInput): void;
  /** Same as {@link apply}; lets the store be the pool's `router`. */
  route(message: RawMessage): void;
  /** The market's entry (state + book when trustworthy), undefined for an unknown market. */
  get(ticker: string): BookEntry | undefined;
  /** Every market's entry. */
  entries(): IterableIterator<BookEntry>;
  /** Tickers of every market held. */
  tickers(): IterableIterator<string>;
  /** Register a change listener; returns a function that removes it. */
  onChange(listener: BookChangeListener): () => void;
  /**
   * Changed markets as batches of distinct tickers (one consumer per call). Ends on `close()` or when
   * `signal` aborts.
   */
  changes(signal?: AbortSignal): AsyncIterableIterator<string[]>;
  /** Mark every book received on `connectionId` untrusted (wire to the manager's `disconnected` event). */
  invalidateConnection(connectionId: number): void;
  /** Forget a market's book (e.g. after it left the registry). Returns whether it existed. */
  drop(ticker: string): boolean;
  /** Counters. */
  stats(): BookStoreStats;
  /** Stop the REST backup and end every `changes()` iterator. Idempotent. */
  close(): void;
}

const SID_SPACE = 2 ** 20;
const T_LIVE = 0;
const T_UNTRUSTED = 1;
const T_REST = 2;

interface Entry {
  readonly ticker: string;
  readonly book: OrderBook;
  trust: number;
  hasSnapshot: boolean;
  updatedAt: number;
  untrustedSince: number;
  restAt: number;
  key: number;
  restInFlight: boolean;
}

/**
 * Creates a book store.
 * @throws {ConfigError} for an invalid option.
 * @example
 * const books = createBookStore();
 * for await (const message of manager) books.apply(message);
 * const entry = books.get('KXBTC-26DEC31-T100000');
 * if (entry?.state === 'live') console.log(entry.book?.bestYesBid());
 */
export function createBookStore(options: BookStoreOptions = {}): BookStore {
  const o = resolveBookStoreOptions(options);
  const { clock } = o;
  const entries = new Map<string, Entry>();
  const bySid = new Map<number, Set<Entry>>();
  const lastSeq = new Map<number, number>();
  const untrusted = new Set<Entry>();
  const listeners = new Set<BookChangeListener>();
  const iterators = new Set<{ pending: Set<string>; wake: (() => void) | undefined }>();
  const scan = createEnvelopeScan();
  const read = createBookFrameRead();
  const c = {
    snapshots: 0, deltas: 0, deltasIgnored: 0, inconsistentDeltas: 0, frameErrors: 0, gaps: 0,
    restRequests: 0, restFailures: 0, droppedMarkets: 0, rejectedMarkets: 0,
  };
  let closed = false;
  let restTimer: TimerHandle | undefined;
  const restAbort = new AbortController();

  function stateOf(e: Entry, now: number): BookState {
    if (e.trust === T_LIVE) return 'live';
    if (e.trust === T_REST) return 'rest';
    return now - e.untrustedSince >= o.staleAfterMs ? 'stale' : 'awaiting-snapshot';
  }

  function view(e: Entry): BookEntry {
    const now = clock.now();
    const state = stateOf(e, now);
    return {
      ticker: e.ticker,
      state,
      book: state === 'live' || state === 'rest' ? e.book : undefined,
      updatedAt: e.updatedAt,
      untrustedSince: e.trust === T_UNTRUSTED ? e.untrustedSince : 0,
      restAgeMs: state === 'rest' ? now - e.restAt : undefined,
    };
  }

  function changed(e: Entry): void {
    if (listeners.size === 0 && iterators.size === 0) return;
    if (listeners.size > 0) {
      const v = view(e);
      for (const l of listeners) l(v);
    }
    for (const it of iterators) {
      it.pending.add(e.ticker);
      const wake = it.wake;
      if (wake !== undefined) {
        it.wake = undefined;
        wake();
      }
    }
  }

  function distrust(e: Entry, now: number): void {
    if (e.trust === T_UNTRUSTED) return;
    e.trust = T_UNTRUSTED;
    e.untrustedSince = now;
    untrusted.add(e);
    changed(e);
  }

  function trust(e: Entry, level: number): void {
    e.trust = level;
    e.untrustedSince = 0;
    if (level === T_LIVE) untrusted.delete(e);
  }

  function distrustKey(key: number): void {
    const set = bySid.get(key);
    if (set === undefined) return;
    const now = clock.now();
    for (const e of set) distrust(e, now);
  }

  function entryFor(ticker: string, key: number, create: boolean): Entry | undefined {
    let e = entries.get(ticker);
    if (e === undefined) {
      if (!create) return undefined;
      if (entries.size >= o.maxMarkets) {
        c.rejectedMarkets++;
        return undefined;
      }
      e = { ticker, book: new OrderBook(ticker), trust: T_UNTRUSTED, hasSnapshot: false, updatedAt: 0, untrustedSince: clock.now(), restAt: 0, key: -1, restInFlight: false };
      entries.set(ticker, e);
      untrusted.add(e);
    }
    if (e.key !== key) {
      bySid.get(e.key)?.delete(e);
      let set = bySid.get(key);
      if (set === undefined) bySid.set(key, (set = new Set()));
      set.add(e);
      e.key = key;
    }
    return e;
  }

  function frameError(field: string, type: string): void {
    c.frameErrors++;
    o.onFrameError?.(new FrameError(field, `malformed ${type} frame`));
  }

  function applyBook(message: BookInput, snapshot: boolean, key: number): void {
    const data = message.data;
    scanEnvelope(data, scan);
    if (!scan.ok || scan.msgStart < 0) return frameError(scan.msgStart < 0 ? 'msg' : '', message.type);
    const bad = readBookFrame(data, scan.msgStart, scan.msgEnd, snapshot, read);
    if (bad !== '') return frameError(bad, message.type);
    const now = clock.now();
    if (snapshot) {
      const e = entryFor(read.ticker, key, true);
      if (e === undefined) return;
      c.snapshots++;
      const book = e.book;
      book.clear();
      for (let i = 0; i < read.yes.length; i += 2) book.setLevel('yes', read.yes[i]!, read.yes[i + 1]!);
      for (let i = 0; i < read.no.length; i += 2) book.setLevel('no', read.no[i]!, read.no[i + 1]!);
      e.hasSnapshot = true;
      e.updatedAt = now;
      trust(e, T_LIVE);
      changed(e);
      return;
    }
    c.deltas++;
    const e = entryFor(read.ticker, key, true);
    if (e === undefined) return;
    if (e.trust !== T_LIVE) {
      // No trusted base to apply to: flagged by the state, applied to nothing never.
      c.deltasIgnored++;
      return;
    }
    if (!e.book.applyDelta(read.side, read.price, read.delta)) {
      c.inconsistentDeltas++;
      distrust(e, now);
      return;
    }
    e.updatedAt = now;
    changed(e);
  }

  function applyLifecycle(message: BookInput): void {
    if (!o.dropEndedMarkets) return;
    let frame;
    try {
      frame = parseFrame(message);
    } catch (error) {
      c.frameErrors++;
      if (error instanceof FrameError) o.onFrameError?.(error);
      return;
    }
    if (frame.type !== 'market_lifecycle_v2') return;
    const t = frame.eventType;
    if (t === 'deactivated' || t === 'determined' || t === 'settled') drop(frame.marketTicker);
  }

  function drop(ticker: string): boolean {
    const e = entries.get(ticker);
    if (e === undefined) return false;
    entries.delete(ticker);
    untrusted.delete(e);
    bySid.get(e.key)?.delete(e);
    c.droppedMarkets++;
    return true;
  }

  function apply(message: BookInput): void {
    if (closed) return;
    const type = message.type;
    const sid = message.sid;
    const key = sid === undefined ? -1 : message.connectionId * SID_SPACE + sid;
    if (sid !== undefined) {
      if (message.seqGap) {
        c.gaps++;
        distrustKey(key);
      }
      const seq = message.seq;
      if (seq !== undefined) {
        const last = lastSeq.get(key);
        // A counter going back means a new subscription reused this sid (reconnect): nothing held is current.
        if (last !== undefined && seq <= last) distrustKey(key);
        lastSeq.set(key, seq);
      }
    }
    if (type === 'orderbook_delta') applyBook(message, false, key);
    else if (type === 'orderbook_snapshot') applyBook(message, true, key);
    else if (type === 'market_lifecycle_v2') applyLifecycle(message);
    else if (type === 'error' && sid !== undefined) distrustKey(key); // a sid-scoped error ends that subscription
  }

  function invalidateConnection(connectionId: number): void {
    const now = clock.now();
    for (const [key, set] of bySid) {
      if (Math.floor(key / SID_SPACE) !== connectionId) continue;
      for (const e of set) distrust(e, now);
    }
  }

  function loadRest(e: Entry, book: RestOrderbook): void {
    if (!entries.has(e.ticker) || e.trust === T_LIVE) return;
    e.book.clear();
    for (const [p, s] of book.yes) e.book.setLevel('yes', p, s);
    for (const [p, s] of book.no) e.book.setLevel('no', p, s);
    const now = clock.now();
    e.restAt = now;
    e.updatedAt = now;
    trust(e, T_REST);
    changed(e);
  }

  function restTick(): void {
    restTimer = undefined;
    if (closed || o.rest === undefined) return;
    const now = clock.now();
    for (const e of untrusted) {
      if (e.restInFlight) continue;
      const due = e.trust === T_UNTRUSTED ? now - e.untrustedSince >= o.staleAfterMs : e.trust === T_REST && now - e.restAt >= o.rest.refreshAfterMs;
      if (!due) continue;
      // Round robin: move it to the back of the queue.
      untrusted.delete(e);
      untrusted.add(e);
      e.restInFlight = true;
      c.restRequests++;
      o.rest.fetchBook(e.ticker, restAbort.signal).then(
        (book) => {
          e.restInFlight = false;
          if (!closed) loadRest(e, book);
        },
        () => {
          e.restInFlight = false;
          c.restFailures++;
        },
      );
      break;
    }
    restTimer = clock.setTimeout(restTick, 1000 / o.rest.requestsPerSecond);
  }

  if (o.rest !== undefined) restTimer = clock.setTimeout(restTick, 1000 / o.rest.requestsPerSecond);

  function changes(signal?: AbortSignal): AsyncIterableIterator<string[]> {
    if (closed) throw new ClosedError('book store is closed');
    const it = { pending: new Set<string>(), wake: undefined as (() => void) | undefined };
    iterators.add(it);
    const onAbort = (): void => {
      iterators.delete(it);
      it.wake?.();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (): IteratorResult<string[]> => {
      iterators.delete(it);
      signal?.removeEventListener('abort', onAbort);
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterableIterator<string[]> = {
      async next() {
        for (;;) {
          if (closed || signal?.aborted === true || !iterators.has(it)) return finish();
          if (it.pending.size > 0) {
            const batch = [...it.pending];
            it.pending.clear();
            return { done: false, value: batch };
          }
          await new Promise<void>((resolve) => (it.wake = resolve));
        }
      },
      async return() {
        it.wake?.();
        return finish();
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  return {
    apply,
    route: apply,
    get(ticker) {
      const e = entries.get(ticker);
      return e === undefined ? undefined : view(e);
    },
    *entries() {
      for (const e of entries.values()) yield view(e);
    },
    tickers() {
      return entries.keys();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    changes,
    invalidateConnection,
    drop,
    stats() {
      let live = 0;
      let rest = 0;
      for (const e of entries.values()) {
        if (e.trust === T_LIVE) live++;
        else if (e.trust === T_REST) rest++;
      }
      return { markets: entries.size, live, rest, untrusted: entries.size - live - rest, ...c };
    },
    close() {
      if (closed) return;
      closed = true;
      if (restTimer !== undefined) clock.clearTimeout(restTimer);
      restTimer = undefined;
      restAbort.abort(new ClosedError('book store closed'));
      for (const it of iterators) it.wake?.();
      listeners.clear();
    },
  };
}
