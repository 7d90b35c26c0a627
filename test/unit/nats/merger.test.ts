import { createJetStreamSource } from 'kalshi-ws-pool/nats';
import { describe, expect, it } from 'vitest';
import { Merger } from '../../../src/nats/merger';
import type { JetStreamMessage } from '../../../src/nats/merger';

// The merge is internal (reached through createJetStreamSource); its rules are tested here with literal messages.
let streamSeq = 0;
function msg(gathererId: string, type: string, market: string, seq: number, at: number, extra: Partial<JetStreamMessage> = {}): JetStreamMessage {
  return {
    data: new Uint8Array(),
    connectionId: 1,
    receivedAt: at,
    type,
    sid: 1,
    seq,
    seqGap: false,
    gapSize: 0,
    gathererId,
    runId: 'r',
    marketTicker: market,
    streamSequence: ++streamSeq,
    failover: false,
    ...extra,
  };
}
const limits = { silenceMs: 1_000, maxBufferedDeltas: 100, dedupeWindow: 10 };
function feed(merger: Merger, m: JetStreamMessage, msgId?: string): JetStreamMessage[] {
  const out: JetStreamMessage[] = [];
  merger.push({ message: m, msgId }, out);
  return out;
}
const tag = (out: JetStreamMessage[]): string[] => out.map((m) => `${m.gathererId}:${m.type === 'orderbook_snapshot' ? 'S' : 'D'}${m.seq}${m.failover ? '!' : ''}`);

describe('Merger', () => {
  it('yields one gatherer per market and holds the replica as a standby', () => {
    const m = new Merger(limits);
    expect(tag(feed(m, msg('a', 'orderbook_snapshot', 'M', 1, 0)))).toEqual(['a:S1']);
    expect(tag(feed(m, msg('b', 'orderbook_snapshot', 'M', 1, 0)))).toEqual([]);
    expect(tag(feed(m, msg('a', 'orderbook_delta', 'M', 2, 1)))).toEqual(['a:D2']);
    expect(tag(feed(m, msg('b', 'orderbook_delta', 'M', 2, 1)))).toEqual([]);
    expect(m.stats()).toMatchObject({ failovers: 0, standbyFrames: 2 });
  });

  it('fails over on a gap to the standby, replaying its snapshot and buffered deltas', () => {
    const m = new Merger(limits);
    feed(m, msg('a', 'orderbook_snapshot', 'M', 1, 0));
    feed(m, msg('b', 'orderbook_snapshot', 'M', 1, 0));
    feed(m, msg('b', 'orderbook_delta', 'M', 2, 1));
    feed(m, msg('a', 'orderbook_delta', 'M', 2, 1));
    expect(tag(feed(m, msg('a', 'orderbook_delta', 'M', 4, 2, { seqGap: true, gapSize: 1 })))).toEqual(['b:S1!', 'b:D2!']);
    expect(tag(feed(m, msg('b', 'orderbook_delta', 'M', 3, 2)))).toEqual(['b:D3']);
    expect(tag(feed(m, msg('a', 'orderbook_delta', 'M', 5, 3)))).toEqual([]);
    expect(m.stats().failovers).toBe(1);
  });

  it('a seq gap on a sid voids every market of that sid, the flagged seqGap too', () => {
    const m = new Merger(limits);
    feed(m, msg('a', 'orderbook_snapshot', 'X', 1, 0));
    feed(m, msg('a', 'orderbook_snapshot', 'Y', 2, 0));
    feed(m, msg('b', 'orderbook_snapshot', 'X', 1, 0));
    feed(m, msg('b', 'orderbook_snapshot', 'Y', 2, 0));
    expect(tag(feed(m, msg('a', 'orderbook_delta', 'X', 3, 1, { seqGap: true, gapSize: 1 }))).sort()).toEqual(['b:S1!', 'b:S2!']);
    expect(m.stats().failovers).toBe(2);
  });

  it('fails over from a gatherer silent for silenceMs (by receivedAt)', () => {
    const m = new Merger(limits);
    feed(m, msg('a', 'orderbook_snapshot', 'M', 1, 0));
    feed(m, msg('b', 'orderbook_snapshot', 'M', 1, 0));
    expect(tag(feed(m, msg('b', 'orderbook_delta', 'M', 2, 500)))).toEqual([]);
    expect(tag(feed(m, msg('b', 'orderbook_delta', 'M', 3, 1_600)))).toEqual(['b:S1!', 'b:D2!', 'b:D3!']);
  });

  it('a market without a usable standby stalls until a snapshot, then resumes', () => {
    const m = new Merger(limits);
    feed(m, msg('a', 'orderbook_snapshot', 'M', 1, 0));
    expect(feed(m, msg('a', 'orderbook_delta', 'M', 3, 1, { seqGap: true, gapSize: 1 }))).toEqual([]);
    expect(m.stats().stalledMarkets).toBe(1);
    expect(tag(feed(m, msg('a', 'orderbook_snapshot', 'M', 1, 2, { sid: 2 })))).toEqual(['a:S1!']);
    expect(m.stats().stalledMarkets).toBe(0);
  });

  it('puts frames of one subscription back in seq order (a retry stored late), and drops late repeats', () => {
    const m = new Merger(limits);
    feed(m, msg('a', 'orderbook_snapshot', 'M', 1, 0));
    expect(feed(m, msg('a', 'orderbook_delta', 'M', 3, 1))).toEqual([]);
    expect(tag(feed(m, msg('a', 'orderbook_delta', 'M', 2, 2)))).toEqual(['a:D2', 'a:D3']);
    expect(feed(m, msg('a', 'orderbook_delta', 'M', 3, 3))).toEqual([]);
    expect(m.stats()).toMatchObject({ failovers: 0, stalledMarkets: 0 });
  });

  it('an unfilled jump becomes a gap after silenceMs', () => {
    const m = new Merger(limits);
    feed(m, msg('a', 'orderbook_snapshot', 'M', 1, 0));
    feed(m, msg('b', 'orderbook_snapshot', 'M', 1, 0, { sid: 9 }));
    expect(feed(m, msg('a', 'orderbook_delta', 'M', 5, 100))).toEqual([]);
    expect(tag(feed(m, msg('b', 'orderbook_delta', 'M', 2, 1_300, { sid: 9 })))).toEqual(['b:S1!', 'b:D2!']);
  });

  it('drops a shared id seen before (bounded window) and passes per-gatherer ids', () => {
    const m = new Merger(limits);
    expect(feed(m, msg('a', 'trade', 'M', 1, 0), 'trade:1')).toHaveLength(1);
    expect(feed(m, msg('b', 'trade', 'M', 1, 0), 'trade:1')).toHaveLength(0);
    expect(feed(m, msg('a', 'fill', 'M', 1, 0), 'a.r.1')).toHaveLength(1);
    expect(m.stats().duplicates).toBe(1);
  });

  it('createJetStreamSource validates its options', () => {
    expect(() => createJetStreamSource({ servers: [] })).toThrow(/servers/);
    expect(() => createJetStreamSource({ servers: 'nats://127.0.0.1:1', silenceMs: 0 })).toThrow(/silenceMs/);
  });
});
