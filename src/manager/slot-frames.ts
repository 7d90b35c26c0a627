/**
 * The frame path of one slot (the hot path): sequence check per (generation, sid), gaps on control
 * frames carried to the sid's next delivered message, redundant-pair dedupe, lifecycle forwarding and
 * the push onto the output queue. Allocates only the delivered message.
 * @internal
 */
import type { EnvelopeScan } from '../protocol/kalshi/envelope';
import type { DedupeWindow } from './dedupe-window';
import type { SlotRole } from './layout';
import type { ManagerCounters } from './manager-stats';
import type { OutputQueue } from './output-queue';
import type { PoolContext } from './pool-context';
import { PoolMessage } from './pool-message';
import { SEQ_UNKNOWN, SeqTracker } from './seq-tracker';
import type { SnapshotWatch } from './snapshot-watch';

/** The bulk of the traffic: checked first so it skips the other type tests. */
const DELTA = 'orderbook_delta';

/** Replies that count on a sid's seq but are not delivered (docs/protocol.md "Replies"). */
function isControl(type: string): boolean {
  return type === 'ok' || type === 'error' || type === 'unsubscribed' || type === 'subscribed';
}

function isLifecycle(type: string): boolean {
  return type === 'market_lifecycle_v2' || type === 'event_lifecycle';
}

/** Sequence state and frame handling of one slot; {@link reset} per connection generation. @internal */
export class SlotFrames {
  readonly #tracker = new SeqTracker();
  /** Gaps seen on control frames, flagged on the sid's next delivered message. Empty almost always. */
  readonly #pendingGaps = new Map<number, number>();
  readonly #dedupe: DedupeWindow | undefined;
  readonly #dropDuplicates: boolean;
  readonly #queue: OutputQueue;
  readonly #counters: ManagerCounters;
  #lastFrameAt = 0;

  /**
   * @param onGap called after a gap was counted and emitted (the slot schedules repairs).
   * @param snapshots orderbook slots: counts delivered `orderbook_snapshot` frames (silent-subscription check).
   */
  constructor(
    private readonly connectionId: number,
    private readonly role: SlotRole,
    private readonly ctx: PoolContext,
    private readonly onGap: (sid: number) => void,
    private readonly snapshots?: SnapshotWatch,
  ) {
    this.#dedupe = ctx.dedupeWindow(role);
    this.#dropDuplicates = ctx.options.redundant === 'dedupe';
    this.#queue = ctx.queue;
    this.#counters = ctx.counters;
  }

  /** Arrival time of the last frame, 0 before any. */
  get lastFrameAt(): number {
    return this.#lastFrameAt;
  }

  /** Whether `sid` is held on this generation. */
  isOpen(sid: number): boolean {
    return this.#tracker.isOpen(sid);
  }

  /** Retire `sid`: its later frames are dropped as unknown. */
  close(sid: number): void {
    this.#tracker.close(sid);
    this.#pendingGaps.delete(sid);
  }

  /** New generation: every sid closed. */
  reset(): void {
    this.#tracker.reset();
    this.#pendingGaps.clear();
  }

  /** Client `subscribed`: open the sid before its first frame (emitted synchronously ahead of the snapshots). */
  readonly onSubscribed = (event: { readonly sid: number }): void => {
    this.#tracker.open(event.sid);
  };

  /**
   * Client `frame`: one call per frame. Ordered for the common case (an in-order `orderbook_delta` or
   * other data frame on an open sid): one tracker call, no map lookups, no string work, one allocation.
   */
  readonly onFrame = (data: Uint8Array, receivedAt: number, envelope: EnvelopeScan): void => {
    this.#lastFrameAt = receivedAt;
    const sid = envelope.sid;
    const seq = envelope.seq;
    const type = envelope.type ?? '';
    const counters = this.#counters;
    let gapSize = 0;
    if (sid !== undefined) {
      // check() also answers "unknown sid", so the common path makes one tracker call.
      const result = seq === undefined ? (this.#tracker.isOpen(sid) ? 0 : SEQ_UNKNOWN) : this.#tracker.check(sid, seq);
      if (result !== 0) {
        if (result < 0) {
          if (result === SEQ_UNKNOWN) counters.unknownSidDrops++;
          else counters.duplicateDrops++;
          return;
        }
        gapSize = result;
        this.#gap(sid, seq!, result);
      }
      if (this.#pendingGaps.size !== 0) {
        const pending = this.#pendingGaps.get(sid);
        if (pending !== undefined) {
          this.#pendingGaps.delete(sid);
          gapSize += pending;
        }
      }
      if (type !== DELTA && isControl(type)) {
        if (gapSize > 0) this.#pendingGaps.set(sid, gapSize);
        return;
      }
    } else if (isControl(type)) {
      return;
    }
    let duplicate = false;
    if (this.#dedupe !== undefined && envelope.msgStart >= 0) {
      duplicate = this.#dedupe.isDuplicate(data, envelope.msgStart, envelope.msgEnd, this.connectionId);
      if (duplicate && this.#dropDuplicates) {
        counters.redundantDrops++;
        return;
      }
    }
    const message = new PoolMessage(data, this.connectionId, receivedAt, type, sid, seq, gapSize > 0, gapSize);
    if (type !== DELTA) {
      if (this.snapshots !== undefined && type === 'orderbook_snapshot') this.snapshots.received++;
      if (!duplicate && isLifecycle(type)) this.ctx.lifecycle(message);
    }
    counters.messagesQueued++;
    this.#queue.push(message);
  };

  #gap(sid: number, seq: number, gapSize: number): void {
    const { ctx, connectionId } = this;
    ctx.counters.gaps++;
    ctx.counters.gapMessages += gapSize;
    // debug: gaps are counted, emitted and repaired; a burst of them must not flood the log.
    ctx.logger.debug({ connectionId, role: this.role, sid, expected: seq - gapSize, received: seq, gapSize }, 'sequence gap');
    ctx.emit('gap', { connectionId, role: this.role, sid, expected: seq - gapSize, received: seq, gapSize });
    this.onGap(sid);
  }
}
