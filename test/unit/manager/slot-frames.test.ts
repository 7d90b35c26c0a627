import type { GapEvent, RawMessage } from 'kalshi-ws-pool';
import { scanEnvelope } from 'kalshi-ws-pool/protocol';
import { describe, expect, it } from 'vitest';
import { DedupeWindow } from '../../../src/manager/dedupe-window';
import type { EmitEvent } from '../../../src/manager/pool-context';
import { ROLE_TABLE } from '../../../src/manager/roles';
import type { SlotRole } from '../../../src/manager/roles';
import { SlotFrames } from '../../../src/manager/slot-frames';
import type { SlotFramesPorts } from '../../../src/manager/slot-frames';
import { SnapshotWatch } from '../../../src/manager/snapshot-watch';

/** A small fake of the frame path's ports: a queue, counters, a dedupe window per role, a lifecycle sink. */
function fakePorts(redundant: 'dedupe' | 'all' = 'dedupe', windows: Partial<Record<SlotRole, DedupeWindow>> = {}) {
  const queued: RawMessage[] = [];
  const lifecycle: RawMessage[] = [];
  const gaps: GapEvent[] = [];
  const debug: string[] = [];
  const counters = { unknownSidDrops: 0, duplicateDrops: 0, redundantDrops: 0, messagesQueued: 0, gaps: 0, gapMessages: 0 };
  const emit: EmitEvent = (event, payload) => {
    if (event === 'gap') gaps.push(payload as GapEvent);
  };
  const ports: SlotFramesPorts = {
    queue: { push: (m) => void queued.push(m) },
    counters,
    logger: { debug: (_fields, message) => void debug.push(message) },
    emit,
    options: { redundant },
    dedupeWindow: (role) => windows[role],
    lifecycle: (m) => void lifecycle.push(m),
  };
  return { ports, queued, lifecycle, gaps, counters, debug };
}

const encoder = new TextEncoder();

function feed(frames: SlotFrames, frame: Record<string, unknown>, at = 1): void {
  const bytes = encoder.encode(JSON.stringify(frame));
  frames.onFrame(bytes, at, scanEnvelope(bytes));
}

const delta = (sid: number, seq: number) => ({ type: 'orderbook_delta', sid, seq, msg: { market_ticker: 'M', price: seq } });
const lifecycleFrame = (sid: number, seq: number) => ({ type: 'market_lifecycle_v2', sid, seq, msg: { market_ticker: 'M', event_type: 'created' } });

describe('SlotFrames (fake ports)', () => {
  it('queues in-order frames of an open sid and drops unknown sids and repeated seqs', () => {
    const f = fakePorts();
    const frames = new SlotFrames(7, ROLE_TABLE.orderbook, f.ports, () => undefined);
    feed(frames, delta(1, 1)); // sid not opened yet
    frames.onSubscribed({ sid: 1 });
    feed(frames, delta(1, 1), 10);
    feed(frames, delta(1, 2), 11);
    feed(frames, delta(1, 2), 12);
    expect(f.queued.map((m) => [m.connectionId, m.sid, m.seq, m.seqGap])).toEqual([
      [7, 1, 1, false],
      [7, 1, 2, false],
    ]);
    expect(f.counters).toMatchObject({ unknownSidDrops: 1, duplicateDrops: 1, messagesQueued: 2 });
    expect(frames.lastFrameAt).toBe(12);
  });

  it('counts, emits and reports a gap with the role, and flags the message', () => {
    const f = fakePorts();
    const reported: number[] = [];
    const frames = new SlotFrames(7, ROLE_TABLE.orderbook, f.ports, (sid) => reported.push(sid));
    frames.onSubscribed({ sid: 3 });
    feed(frames, delta(3, 1));
    feed(frames, delta(3, 5));
    expect(f.gaps).toEqual([{ connectionId: 7, role: 'orderbook', sid: 3, expected: 2, received: 5, gapSize: 3 }]);
    expect(reported).toEqual([3]);
    expect(f.counters).toMatchObject({ gaps: 1, gapMessages: 3 });
    expect(f.queued.at(-1)).toMatchObject({ seq: 5, seqGap: true, gapSize: 3 });
  });

  it('carries a gap seen on a control frame to the sid’s next delivered message', () => {
    const f = fakePorts();
    const frames = new SlotFrames(7, ROLE_TABLE.orderbook, f.ports, () => undefined);
    frames.onSubscribed({ sid: 2 });
    feed(frames, delta(2, 1));
    feed(frames, { type: 'ok', sid: 2, seq: 4, id: 9 }); // 2 missing, not delivered
    feed(frames, delta(2, 5));
    expect(f.queued.map((m) => [m.type, m.seq, m.gapSize])).toEqual([
      ['orderbook_delta', 1, 0],
      ['orderbook_delta', 5, 2],
    ]);
  });

  it('forwards lifecycle messages only on a lifecycle-sink role, once per copy pair', () => {
    const window = new DedupeWindow(64);
    const f = fakePorts('all', { lifecycle: window });
    const a = new SlotFrames(5, ROLE_TABLE.lifecycle, f.ports, () => undefined);
    const b = new SlotFrames(6, ROLE_TABLE.lifecycle, f.ports, () => undefined);
    const ticker = new SlotFrames(1, ROLE_TABLE.ticker, f.ports, () => undefined);
    for (const frames of [a, b, ticker]) frames.onSubscribed({ sid: 1 });
    feed(a, lifecycleFrame(1, 1));
    feed(b, lifecycleFrame(1, 1)); // the redundant copy: delivered (redundant: 'all'), not forwarded again
    feed(ticker, lifecycleFrame(1, 1)); // not a lifecycle role
    expect(f.queued.map((m) => m.connectionId)).toEqual([5, 6, 1]);
    expect(f.lifecycle.map((m) => m.connectionId)).toEqual([5]);
  });

  it('drops the second copy of a redundant pair with redundant: dedupe', () => {
    const f = fakePorts('dedupe', { trade: new DedupeWindow(64) });
    const a = new SlotFrames(3, ROLE_TABLE.trade, f.ports, () => undefined);
    const b = new SlotFrames(4, ROLE_TABLE.trade, f.ports, () => undefined);
    a.onSubscribed({ sid: 1 });
    b.onSubscribed({ sid: 8 });
    const trade = { trade_id: 't-1', market_ticker: 'M', yes_price: 50, count: 1 };
    feed(a, { type: 'trade', sid: 1, seq: 1, msg: trade });
    feed(b, { type: 'trade', sid: 8, seq: 1, msg: trade });
    expect(f.queued.map((m) => m.connectionId)).toEqual([3]);
    expect(f.counters.redundantDrops).toBe(1);
  });

  it('counts orderbook snapshots for the silent-subscription check; close() retires a sid', () => {
    const f = fakePorts();
    const snapshots = new SnapshotWatch();
    const frames = new SlotFrames(7, ROLE_TABLE.orderbook, f.ports, () => undefined, snapshots);
    frames.onSubscribed({ sid: 1 });
    feed(frames, { type: 'orderbook_snapshot', sid: 1, seq: 1, msg: { market_ticker: 'M' } });
    expect(snapshots.received).toBe(1);
    expect(frames.isOpen(1)).toBe(true);
    frames.close(1);
    feed(frames, delta(1, 2));
    expect(f.counters.unknownSidDrops).toBe(1);
    frames.onSubscribed({ sid: 4 });
    frames.reset();
    expect(frames.isOpen(4)).toBe(false);
  });
});
