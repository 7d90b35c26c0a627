/**
 * What the soak watches: the consumer (messages, flagged gaps, duplicates of redundant-pair payloads,
 * fresh snapshots per market), the manager's events, every dial, memory and event-loop delay.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { scanEnvelope } from '../../src/protocol/index';
import type { ConnectionManager, DisconnectedEvent, GapEvent, RawMessage, RepairEvent, ResubscribeEvent } from '../../src/index';

/** Heap and RSS at one moment, in MB. */
export interface MemorySample {
  readonly label: string;
  readonly heapMb: number;
  readonly rssMb: number;
}

/** Payloads remembered for the duplicate check (a rolling window, so memory stays bounded). */
const DUPLICATE_WINDOW = 200_000;

/**
 * A 53-bit hash of `bytes[start, end)` (two 32-bit FNV-1a variants), so the duplicate window holds
 * numbers, not payload strings: the soak's own memory must not drown the pool's in the heap figures.
 */
function payloadHash(bytes: Uint8Array, start: number, end: number): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ (end - start);
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
  }
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) & 0x1fffff);
}

const decoder = new TextDecoder();

function collectGarbage(): (() => void) | undefined {
  // Lets `npm run soak` (plain tsx, no --expose-gc) measure memory after a full collection.
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Counts everything the soak's invariants are checked against. */
export class SoakObserver {
  delivered = 0;
  flaggedMessages = 0;
  flaggedMissing = 0;
  duplicates = 0;
  redundantPayloads = 0;
  readonly gaps: GapEvent[] = [];
  readonly repairs: RepairEvent[] = [];
  readonly resubscribes: ResubscribeEvent[] = [];
  readonly disconnects: (DisconnectedEvent & { readonly at: number })[] = [];
  reconnects = 0;
  fatalErrors = 0;
  readonly memory: MemorySample[] = [];
  readonly unhandled: unknown[] = [];
  /** Last snapshot arrival (ms since the epoch) and slot per market. */
  readonly lastSnapshot = new Map<string, { readonly at: number; readonly slot: number }>();
  readonly #payloads = new Set<number>();
  readonly #delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  readonly #gc = collectGarbage();
  #pausedUntil = 0;
  #reading: Promise<void> = Promise.resolve();

  /** @param dials `performance.now()` of every dial, pushed by the client factory. */
  constructor(
    private readonly manager: ConnectionManager,
    readonly dials: number[],
  ) {
    manager.on('gap', (e) => this.gaps.push(e));
    manager.on('repair', (e) => this.repairs.push(e));
    manager.on('resubscribed', (e) => this.resubscribes.push(e));
    manager.on('disconnected', (e) => this.disconnects.push({ ...e, at: Date.now() }));
    manager.on('reconnected', () => this.reconnects++);
    manager.on('error', (e) => {
      if (e.fatal) this.fatalErrors++;
    });
    process.on('unhandledRejection', this.#onUnhandled);
  }

  readonly #onUnhandled = (reason: unknown): void => {
    this.unhandled.push(reason);
  };

  /** Start the single consumer (batches of up to 1,000). */
  startReading(): void {
    this.#reading = (async () => {
      for await (const batch of this.manager.batches(1_000)) {
        for (const message of batch) this.#onMessage(message);
        const wait = this.#pausedUntil - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })();
  }

  /** The consumer stops reading for `ms` (slow-consumer fault). */
  pauseReading(ms: number): void {
    this.#pausedUntil = Date.now() + ms;
  }

  /** Resolves when the iterable ended (after `stop()`). */
  get reading(): Promise<void> {
    return this.#reading;
  }

  #onMessage(message: RawMessage): void {
    this.delivered++;
    if (message.seqGap) {
      this.flaggedMessages++;
      this.flaggedMissing += message.gapSize;
    }
    const type = message.type;
    if (type === 'orderbook_snapshot') {
      const ticker = this.#ticker(message);
      if (ticker !== undefined) this.lastSnapshot.set(ticker, { at: message.receivedAt, slot: message.connectionId });
    } else if (type === 'ticker' || type === 'trade') {
      this.redundantPayloads++;
      const scan = scanEnvelope(message.data);
      const key = payloadHash(message.data, scan.msgStart, scan.msgEnd) + (type === 'trade' ? 1 : 0);
      if (this.#payloads.has(key)) this.duplicates++;
      else {
        this.#payloads.add(key);
        if (this.#payloads.size > DUPLICATE_WINDOW) this.#payloads.delete(this.#payloads.values().next().value!);
      }
    }
  }

  #ticker(message: RawMessage): string | undefined {
    const scan = scanEnvelope(message.data);
    if (scan.msgStart < 0) return undefined;
    const msg = JSON.parse(decoder.decode(message.data.subarray(scan.msgStart, scan.msgEnd))) as { market_ticker?: unknown };
    return typeof msg.market_ticker === 'string' ? msg.market_ticker : undefined;
  }

  /** Forget snapshot times of markets no longer wanted (keeps the soak's own memory bounded). */
  prune(wanted: (ticker: string) => boolean): void {
    for (const ticker of this.lastSnapshot.keys()) if (!wanted(ticker)) this.lastSnapshot.delete(ticker);
  }

  /** Heap (after a full GC when available) and RSS now. */
  sampleMemory(label: string): MemorySample {
    this.#gc?.();
    const usage = process.memoryUsage();
    const sample = { label, heapMb: usage.heapUsed / 2 ** 20, rssMb: usage.rss / 2 ** 20 };
    this.memory.push(sample);
    return sample;
  }

  startLoopDelay(): void {
    this.#delay.enable();
  }

  /** Event-loop delay percentiles since {@link startLoopDelay}, in ms. */
  loopDelay(): { readonly p50: number; readonly p99: number; readonly max: number } {
    this.#delay.disable();
    return { p50: this.#delay.percentile(50) / 1e6, p99: this.#delay.percentile(99) / 1e6, max: this.#delay.max / 1e6 };
  }

  /** Greatest number of dials in any one-second window. */
  maxDialsPerSecond(): number {
    const sorted = [...this.dials].sort((a, b) => a - b);
    let best = 0;
    let start = 0;
    for (let end = 0; end < sorted.length; end++) {
      while (sorted[end]! - sorted[start]! >= 1_000) start++;
      best = Math.max(best, end - start + 1);
    }
    return best;
  }

  dispose(): void {
    process.off('unhandledRejection', this.#onUnhandled);
    this.#delay.disable();
  }
}
