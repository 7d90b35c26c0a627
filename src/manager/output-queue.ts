/**
 * The pool's single bounded output queue, behind the async iterable and the router pump.
 *
 * Why this structure: a power-of-two ring buffer (head index + size, masked) makes push and shift
 * O(1) without `Array.shift` copying; the one waiting consumer is kept in a single resolve/reject slot
 * (no closure per message), and a queued message is handed out as an already-resolved promise.
 * Local drops are flagged exactly: each drop adds to a pending count for its stream
 * (connection + sid), and the next message of that stream *after* the drop carries it as
 * `seqGap`/`gapSize`. One total counter keeps the no-drop path at a single comparison.
 * An optional byte budget (`maxBytes`, summed from each frame's raw byte length) applies the same policy as
 * the count limit; off, it is `Infinity`, so the hot path keeps one addition and one comparison.
 * @internal
 */
import { ConfigError, StateError } from '../errors';
import { readNumber } from '../internal/validate';
import type { RawMessage } from '../raw-message';
import type { PoolMessage } from './pool-message';

/** What to do when the queue is full. */
export type OverflowPolicy = 'pause' | 'drop-oldest' | 'drop-newest';

/** Options of {@link OutputQueue}. */
export interface OutputQueueOptions {
  /** Messages held before the policy applies (integer >= 1). */
  readonly capacity: number;
  /**
   * Raw frame bytes held before the policy applies (integer >= 1); `undefined` = no byte budget. With `pause`,
   * reading resumes once the queue holds at most half of it (and no more than `lowWaterMark` messages).
   * @default undefined
   */
  readonly maxBytes?: number | undefined;
  /** With `pause`: resume once the queue drains down to this many (integer, 0 <= x < capacity). */
  readonly lowWaterMark: number;
  /** Overflow policy. */
  readonly policy: OverflowPolicy;
  /** Called once when the queue reaches capacity under `pause` (stop reading sockets). */
  readonly onPause?: () => void;
  /** Called once when a paused queue drains to `lowWaterMark` (read sockets again). */
  readonly onResume?: () => void;
  /** Called for every message discarded by `drop-oldest` / `drop-newest`. */
  readonly onDrop?: (message: PoolMessage) => void;
}

/** Default `maxBatch` of {@link OutputQueue.batches}. */
export const DEFAULT_MAX_BATCH = 512;

/** Distinct key per (connection, sid); connection ids and sids are small, so this stays a safe integer. */
const STREAM_MULTIPLIER = 1_000_003;

type Item = RawMessage | RawMessage[];
type Result = IteratorResult<Item, undefined>;

const DONE: Result = Object.freeze({ done: true, value: undefined });
const DONE_PROMISE: Promise<Result> = Promise.resolve(DONE);

/**
 * Bounded FIFO of {@link PoolMessage}s with one consumer at a time.
 * @internal
 * @example
 * const queue = new OutputQueue({ capacity: 10_000, lowWaterMark: 5_000, policy: 'pause', onPause, onResume });
 * queue.push(message);
 * for await (const m of queue.iterate()) handle(m);
 */
export class OutputQueue {
  readonly #capacity: number;
  readonly #maxBytes: number;
  readonly #lowWaterBytes: number;
  readonly #lowWaterMark: number;
  readonly #policy: OverflowPolicy;
  readonly #onPause: (() => void) | undefined;
  readonly #onResume: (() => void) | undefined;
  readonly #onDrop: ((message: PoolMessage) => void) | undefined;
  // drop-newest drops the incoming message, so the next one *pushed* on its stream follows the gap;
  // drop-oldest drops the head, so the next one *delivered* on its stream follows it.
  readonly #flagOnPush: boolean;

  #ring: (PoolMessage | undefined)[];
  #mask: number;
  #head = 0;
  #size = 0;
  #bytes = 0;

  #dropped = 0;
  #discarded = 0;
  #paused = false;
  #ended = false;
  #error: Error | null = null;

  readonly #pendingDrops = new Map<number, number>();
  #pendingTotal = 0;

  // The one consumer: a token (0 = none), its batch size (0 = single messages) and its waiter slot.
  #consumer = 0;
  #consumerSeq = 0;
  #maxBatch = 0;
  #waiting: Promise<Result> | null = null;
  #resolve: ((result: Result) => void) | null = null;
  #reject: ((error: Error) => void) | null = null;
  // The consumer's AbortSignal listener, removed whenever the consumer goes away.
  #unlisten: (() => void) | null = null;

  /** @throws {ConfigError} when capacity, lowWaterMark, maxBytes or policy is invalid. */
  constructor(options: OutputQueueOptions) {
    const { capacity, lowWaterMark, policy } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new ConfigError('queue.capacity', `must be an integer >= 1, got ${String(capacity)}`);
    }
    if (!Number.isSafeInteger(lowWaterMark) || lowWaterMark < 0 || lowWaterMark >= capacity) {
      throw new ConfigError('queue.lowWaterMark', `must be an integer in [0, ${capacity - 1}], got ${String(lowWaterMark)}`);
    }
    if (policy !== 'pause' && policy !== 'drop-oldest' && policy !== 'drop-newest') {
      throw new ConfigError('queue.policy', `must be 'pause', 'drop-oldest' or 'drop-newest', got ${String(policy)}`);
    }
    this.#capacity = capacity;
    this.#maxBytes = readNumber(options.maxBytes, Infinity, 'queue.maxBytes', { integer: true, min: 1, infinite: true });
    this.#lowWaterBytes = Math.floor(this.#maxBytes / 2);
    this.#lowWaterMark = lowWaterMark;
    this.#policy = policy;
    this.#onPause = options.onPause;
    this.#onResume = options.onResume;
    this.#onDrop = options.onDrop;
    this.#flagOnPush = policy === 'drop-newest';
    // `pause` may overshoot capacity (frames already read still arrive), so its ring starts smaller and grows.
    let length = 16;
    const target = policy === 'pause' ? Math.min(capacity, 1024) : capacity;
    while (length < target) length *= 2;
    this.#ring = new Array<PoolMessage | undefined>(length).fill(undefined);
    this.#mask = length - 1;
  }

  /** Messages queued now. */
  get size(): number {
    return this.#size;
  }

  /** Raw frame bytes queued now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Messages discarded by the overflow policy so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Messages pushed after `end()`/`abort()` and ignored. */
  get discarded(): number {
    return this.#discarded;
  }

  /** True between `onPause` and `onResume` (policy `pause`). */
  get paused(): boolean {
    return this.#paused;
  }

  /** True once `end()` or `abort()` was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Enqueue one message, applying the overflow policy. Ignored (and counted) after `end()`. */
  push(message: PoolMessage): void {
    if (this.#ended) {
      this.#discarded++;
      return;
    }
    const length = message.data.byteLength;
    if (this.#size >= this.#capacity || (this.#size !== 0 && this.#bytes + length > this.#maxBytes)) {
      if (this.#policy === 'drop-newest') {
        this.#drop(message);
        return;
      }
      if (this.#policy === 'drop-oldest') {
        // Evict until it fits; an empty queue always takes the message, however large.
        do this.#drop(this.#take());
        while (this.#size !== 0 && (this.#size >= this.#capacity || this.#bytes + length > this.#maxBytes));
      }
    }
    if (this.#pendingTotal !== 0 && this.#flagOnPush) this.#applyPending(message);
    if (this.#resolve !== null) {
      // A consumer is waiting, so the queue is empty: hand the message over directly.
      if (this.#pendingTotal !== 0 && !this.#flagOnPush) this.#applyPending(message);
      this.#settle(this.#maxBatch === 0 ? message : { done: false, value: [message] });
      return;
    }
    if (this.#size === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#size) & this.#mask] = message;
    this.#size++;
    this.#bytes += length;
    if (!this.#paused && (this.#size >= this.#capacity || this.#bytes >= this.#maxBytes) && this.#policy === 'pause') {
      this.#paused = true;
      this.#onPause?.();
    }
  }

  /** No more pushes; the consumer finishes after draining what is queued. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#resolve !== null) {
      this.#dropConsumer();
      this.#settle(DONE);
    }
  }

  /**
   * Stop at once: queued messages are discarded and the consumer's pending or next `next()` rejects
   * with `error`. `onResume` is not called.
   */
  abort(error: Error): void {
    if (this.#error !== null) return;
    this.#error = error;
    this.#ended = true;
    this.#paused = false;
    this.#ring.fill(undefined);
    this.#head = 0;
    this.#size = 0;
    this.#bytes = 0;
    this.#pendingDrops.clear();
    this.#pendingTotal = 0;
    const reject = this.#reject;
    if (reject !== null) {
      this.#dropConsumer();
      this.#waiting = this.#resolve = this.#reject = null;
      reject(error);
    }
  }

  /**
   * The consumer's view: one message per step. Breaking out keeps the queue's contents.
   * @param signal - aborting it ends the iteration like `return()`: a waiting `next()` resolves done, the
   * queue keeps its contents and the next consumer may start.
   * @throws {StateError} when another iterator or batch iterator is active.
   */
  iterate(signal?: AbortSignal): AsyncIterableIterator<RawMessage> {
    return this.#open(0, signal) as AsyncIterableIterator<RawMessage>;
  }

  /**
   * Like {@link OutputQueue.iterate} but yields arrays of up to `maxBatch` queued messages; never waits to fill.
   * @param maxBatch - largest array yielded. @default 512
   * @throws {StateError} when another consumer is active. @throws {ConfigError} on a bad `maxBatch`.
   */
  batches(maxBatch: number = DEFAULT_MAX_BATCH, signal?: AbortSignal): AsyncIterableIterator<RawMessage[]> {
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) {
      throw new ConfigError('maxBatch', `must be an integer >= 1, got ${String(maxBatch)}`);
    }
    return this.#open(maxBatch, signal) as AsyncIterableIterator<RawMessage[]>;
  }

  #open(maxBatch: number, signal: AbortSignal | undefined): AsyncIterableIterator<Item> {
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new ConfigError('signal', 'must be an AbortSignal');
    }
    if (this.#consumer !== 0) {
      throw new StateError('the message stream already has a consumer; only one iterator may read at a time');
    }
    const token = ++this.#consumerSeq;
    this.#consumer = token;
    this.#maxBatch = maxBatch;
    const iterator: AsyncIterableIterator<Item> = {
      next: () => this.#next(token),
      return: () => this.#release(token),
      [Symbol.asyncIterator]: () => iterator,
    };
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#consumer = 0;
      } else {
        const onAbort = (): void => void this.#release(token);
        signal.addEventListener('abort', onAbort, { once: true });
        this.#unlisten = () => signal.removeEventListener('abort', onAbort);
      }
    }
    return iterator;
  }

  /** The consumer is gone (released, ended, failed): forget it and its signal listener. */
  #dropConsumer(): void {
    this.#consumer = 0;
    const unlisten = this.#unlisten;
    if (unlisten !== null) {
      this.#unlisten = null;
      unlisten();
    }
  }

  #next(token: number): Promise<Result> {
    if (token !== this.#consumer) return DONE_PROMISE;
    if (this.#size !== 0) {
      // A message is its own iterator result (pool-message.ts): nothing is allocated but the promise.
      return Promise.resolve(this.#maxBatch === 0 ? this.#deliver() : { done: false, value: this.#batch() });
    }
    if (this.#error !== null) {
      this.#dropConsumer();
      return Promise.reject(this.#error);
    }
    if (this.#ended) {
      this.#dropConsumer();
      return DONE_PROMISE;
    }
    // A second next() before the first settled (not done by for-await): queue it behind the first.
    if (this.#waiting !== null) return this.#waiting.then(() => this.#next(token));
    this.#waiting = new Promise<Result>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    return this.#waiting;
  }

  #release(token: number): Promise<Result> {
    if (token === this.#consumer) {
      this.#dropConsumer();
      if (this.#resolve !== null) this.#settle(DONE);
    }
    return DONE_PROMISE;
  }

  #settle(result: Result): void {
    const resolve = this.#resolve!;
    this.#waiting = this.#resolve = this.#reject = null;
    resolve(result);
  }

  /** Remove the head without flagging or resuming (used for eviction). */
  #take(): PoolMessage {
    const message = this.#ring[this.#head]!;
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
    this.#bytes -= message.data.byteLength;
    return message;
  }

  /** Remove the head for delivery: flag pending drops, resume below the low-water mark. */
  #deliver(): PoolMessage {
    const message = this.#take();
    if (this.#pendingTotal !== 0 && !this.#flagOnPush) this.#applyPending(message);
    if (this.#paused && this.#size <= this.#lowWaterMark && this.#bytes <= this.#lowWaterBytes) {
      this.#paused = false;
      this.#onResume?.();
    }
    return message;
  }

  #batch(): PoolMessage[] {
    const count = Math.min(this.#size, this.#maxBatch);
    const batch = new Array<PoolMessage>(count);
    for (let i = 0; i < count; i++) batch[i] = this.#deliver();
    return batch;
  }

  #drop(message: PoolMessage): void {
    this.#dropped++;
    // A dropped message that itself followed a gap takes that gap with it: pass it on too.
    const missing = 1 + message.gapSize;
    const key = message.connectionId * STREAM_MULTIPLIER + (message.sid ?? 0);
    this.#pendingDrops.set(key, (this.#pendingDrops.get(key) ?? 0) + missing);
    this.#pendingTotal += missing;
    this.#onDrop?.(message);
  }

  #applyPending(message: PoolMessage): void {
    const key = message.connectionId * STREAM_MULTIPLIER + (message.sid ?? 0);
    const pending = this.#pendingDrops.get(key);
    if (pending === undefined) return;
    this.#pendingDrops.delete(key);
    this.#pendingTotal -= pending;
    message.seqGap = true;
    message.gapSize += pending;
  }

  #grow(): void {
    const old = this.#ring;
    const next = new Array<PoolMessage | undefined>(old.length * 2).fill(undefined);
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) & this.#mask];
    this.#ring = next;
    this.#mask = next.length - 1;
    this.#head = 0;
  }
}
