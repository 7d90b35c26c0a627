/**
 * The frame path of one slot (the hot path): sequence check per (generation, sid), gaps on control
 * frames carried to the sid's next delivered message, redundant-pair dedupe, lifecycle forwarding and
 * the push onto the output queue. Allocates only the delivered message. Sees its pool through
 * {@link SlotFramesPorts} and its role through the role table row.
 * @internal
 */
import type { Logger } from '../ports/logger';
import type { EnvelopeScan } from '../protocol/kalshi/envelope';
import type { RawMessage } from '../raw-message';
import type { DedupeWindow } from './dedupe-window';
import type { ManagerCounters } from './manager-stats';
import type { OutputQueue } from './output-queue';
import type { EmitEvent } from './pool-context';
import type { RoleSpec, SlotRole } from './roles';
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

/** What the frame path of one slot needs from its pool (a narrow view, not the whole manager). @internal */
export interface SlotFramesPorts {
  readonly queue: Pick<OutputQueue, 'push'>;
  readonly counters: Pick<ManagerCounters, 'unknownSidDrops' | 'duplicateDrops' | 'redundantDrops' | 'messagesQueued' | 'gaps' | 'gapMessages'>;
  readonly logger: Pick<Logger, 'debug'>;
  /** Emits `gap`. */
  readonly emit: EmitEvent;
  readonly options: { readonly redundant: 'dedupe' | 'all' };
  /** The role's dedupe window, if it has one. */
  dedupeWindow(role: SlotRole): Pick<DedupeWindow, 'isDuplicate'> | undefined;
  /** Forwards a lifecycle message to the registry. */
  lifecycle(message: RawMessage): void;
}

/** Sequence state and frame handling of one slot; {@link reset} per connection generation. @internal */
export class SlotFrames {
  readonly #tracker = new SeqTracker();
  /** Gaps seen on control frames, flagged on the sid's next delivered message. Empty almost always. */
  readonly #pendingGaps = new Map<number, number>();
  readonly #dedupe: Pick<DedupeWindow, 'isDuplicate'> | undefined;
  readonly #dropDuplicates: boolean;
  /** Whether the role's messages go to the registry too (role table `lifecycleSink`). */
  readonly #lifecycleSink: boolean;
  readonly #role: SlotRole;
  readonly #queue: SlotFramesPorts['queue'];
  readonly #counters: SlotFramesPorts['counters'];
  #lastFrameAt = 0;

  /**
   * @param role the slot's row of the role table.
   * @param onGap called after a gap was counted and emitted (the slot's behaviour schedules repairs).
   * @param snapshots orderbook slots: counts delivered `orderbook_snapshot` frames (silent-subscription check).
   */
  constructor(
    private readonly connectionId: number,
    role: RoleSpec,
    private readonly ports: SlotFramesPorts,
    private readonly onGap: (sid: number) => void,
    private readonly snapshots?: SnapshotWatch,
  ) {
    this.#role = role.role;
    this.#lifecycleSink = role.lifecycleSink;
    this.#dedupe = ports.dedupeWindow(role.role);
    this.#dropDuplicates = ports.options.redundant === 'dedupe';
    this.#queue = ports.queue;
    this.#counters = ports.counters;
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
      if (this.#lifecycleSink && !duplicate && isLifecycle(type)) this.ports.lifecycle(message);
    }
    counters.messagesQueued++;
    this.#queue.push(message);
  };

  #gap(sid: number, seq: number, gapSize: number): void {
    const { ports, connectionId } = this;
    const role = this.#role;
    this.#counters.gaps++;
    this.#counters.gapMessages += gapSize;
    // debug: gaps are counted, emitted and repaired; a burst of them must not flood the log.
    ports.logger.debug({ connectionId, role, sid, expected: seq - gapSize, received: seq, gapSize }, 'sequence gap');
    ports.emit('gap', { connectionId, role, sid, expected: seq - gapSize, received: seq, gapSize });
    this.onGap(sid);
  }
}
