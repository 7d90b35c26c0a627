import { describe, expect, it } from 'vitest';
import {
  DENSE_SID_LIMIT,
  SEQ_DUPLICATE,
  SEQ_IN_ORDER,
  SEQ_UNKNOWN,
  SeqTracker,
} from '../../../src/manager/seq-tracker';

describe('SeqTracker', () => {
  it('exports distinct result constants', () => {
    expect(SEQ_IN_ORDER).toBe(0);
    expect(SEQ_DUPLICATE).toBe(-1);
    expect(SEQ_UNKNOWN).toBe(-2);
  });

  it('accepts an in-order stream starting at 1', () => {
    const seqs = new SeqTracker();
    seqs.open(1);
    expect(seqs.last(1)).toBe(0);
    for (let seq = 1; seq <= 1000; seq++) expect(seqs.check(1, seq)).toBe(SEQ_IN_ORDER);
    expect(seqs.last(1)).toBe(1000);
  });

  it('reports a first frame with seq 5 as a gap of 4', () => {
    const seqs = new SeqTracker();
    seqs.open(3);
    expect(seqs.check(3, 5)).toBe(4);
    expect(seqs.last(3)).toBe(5);
    expect(seqs.check(3, 6)).toBe(0);
  });

  it('reports gap sizes and moves last to the new seq', () => {
    const seqs = new SeqTracker();
    seqs.open(1);
    expect(seqs.check(1, 1)).toBe(0);
    expect(seqs.check(1, 2)).toBe(0);
    expect(seqs.check(1, 10)).toBe(7);
    expect(seqs.last(1)).toBe(10);
    expect(seqs.check(1, 11)).toBe(0);
  });

  it('classifies duplicates and regressions without changing last', () => {
    const seqs = new SeqTracker();
    seqs.open(2);
    seqs.check(2, 1);
    seqs.check(2, 2);
    seqs.check(2, 3);
    expect(seqs.check(2, 3)).toBe(SEQ_DUPLICATE);
    expect(seqs.check(2, 1)).toBe(SEQ_DUPLICATE);
    expect(seqs.check(2, 0)).toBe(SEQ_DUPLICATE);
    expect(seqs.last(2)).toBe(3);
    expect(seqs.check(2, 4)).toBe(0);
  });

  it('returns SEQ_UNKNOWN for sids never opened, closed, or beyond the array', () => {
    const seqs = new SeqTracker();
    expect(seqs.check(1, 1)).toBe(SEQ_UNKNOWN);
    expect(seqs.check(5000, 1)).toBe(SEQ_UNKNOWN);
    expect(seqs.isOpen(1)).toBe(false);
    expect(seqs.last(1)).toBeUndefined();
    seqs.open(1);
    seqs.check(1, 1);
    seqs.close(1);
    expect(seqs.isOpen(1)).toBe(false);
    expect(seqs.check(1, 2)).toBe(SEQ_UNKNOWN);
    expect(seqs.last(1)).toBeUndefined();
    seqs.close(4242); // unknown: ignored
  });

  it('tracks sids independently', () => {
    const seqs = new SeqTracker();
    seqs.open(1);
    seqs.open(2);
    expect(seqs.check(1, 1)).toBe(0);
    expect(seqs.check(2, 3)).toBe(2);
    expect(seqs.check(1, 2)).toBe(0);
    expect(seqs.check(2, 4)).toBe(0);
    expect(seqs.last(1)).toBe(2);
    expect(seqs.last(2)).toBe(4);
  });

  it('re-open resets the sid to expect 1', () => {
    const seqs = new SeqTracker();
    seqs.open(1);
    seqs.check(1, 1);
    seqs.check(1, 2);
    seqs.open(1);
    expect(seqs.last(1)).toBe(0);
    expect(seqs.check(1, 1)).toBe(0);
  });

  it('reset() closes every sid (new connection generation)', () => {
    const seqs = new SeqTracker();
    seqs.open(1);
    seqs.open(200);
    seqs.open(100_000);
    seqs.check(1, 1);
    seqs.reset();
    expect(seqs.isOpen(1)).toBe(false);
    expect(seqs.isOpen(200)).toBe(false);
    expect(seqs.isOpen(100_000)).toBe(false);
    expect(seqs.check(1, 2)).toBe(SEQ_UNKNOWN);
    seqs.open(1);
    expect(seqs.check(1, 1)).toBe(0);
  });

  it('grows for larger sids up to the dense limit', () => {
    const seqs = new SeqTracker();
    for (const sid of [0, 15, 16, 17, 1000, DENSE_SID_LIMIT]) {
      seqs.open(sid);
      expect(seqs.isOpen(sid)).toBe(true);
      expect(seqs.check(sid, 1)).toBe(0);
      expect(seqs.check(sid, 3)).toBe(1);
    }
    // Earlier sids survive growth.
    expect(seqs.last(15)).toBe(3);
    expect(seqs.last(DENSE_SID_LIMIT)).toBe(3);
  });

  it('falls back to a map for sids above the dense limit and odd sids', () => {
    const seqs = new SeqTracker();
    for (const sid of [DENSE_SID_LIMIT + 1, 2 ** 31, -1, 1.5]) {
      expect(seqs.check(sid, 1)).toBe(SEQ_UNKNOWN);
      seqs.open(sid);
      expect(seqs.isOpen(sid)).toBe(true);
      expect(seqs.last(sid)).toBe(0);
      expect(seqs.check(sid, 1)).toBe(0);
      expect(seqs.check(sid, 4)).toBe(2);
      expect(seqs.check(sid, 4)).toBe(SEQ_DUPLICATE);
      expect(seqs.last(sid)).toBe(4);
      seqs.close(sid);
      expect(seqs.check(sid, 5)).toBe(SEQ_UNKNOWN);
    }
  });

  it('handles seqs beyond 32 bits exactly', () => {
    const seqs = new SeqTracker();
    seqs.open(1);
    const big = 2 ** 40;
    expect(seqs.check(1, big)).toBe(big - 1);
    expect(seqs.check(1, big + 1)).toBe(0);
  });

  it('a sid exactly at the dense array length is unknown, never NaN (mutation survivor)', () => {
    const seqs = new SeqTracker();
    seqs.open(1); // the array starts with 16 entries: sids 0..15
    for (const sid of [16, 17]) {
      expect(seqs.check(sid, 1)).toBe(SEQ_UNKNOWN);
      expect(seqs.isOpen(sid)).toBe(false);
      expect(seqs.last(sid)).toBeUndefined();
      seqs.close(sid); // ignored, no growth
    }
    // Growing for sid 16 doubles the array to 32 entries; sid 32 is then exactly at its length.
    seqs.open(16);
    expect(seqs.check(16, 1)).toBe(SEQ_IN_ORDER);
    expect(seqs.check(32, 7)).toBe(SEQ_UNKNOWN);
    expect(seqs.last(32)).toBeUndefined();
    expect(seqs.isOpen(32)).toBe(false);
    // Opening sid 32 grows exactly enough to hold it.
    seqs.open(32);
    expect(seqs.check(32, 2)).toBe(1);
  });

  it('open(0) and close() of the last dense sid keep the neighbours intact', () => {
    const seqs = new SeqTracker();
    seqs.open(0);
    seqs.open(DENSE_SID_LIMIT);
    expect(seqs.check(0, 1)).toBe(SEQ_IN_ORDER);
    expect(seqs.check(DENSE_SID_LIMIT, 3)).toBe(2);
    seqs.close(DENSE_SID_LIMIT);
    expect(seqs.isOpen(DENSE_SID_LIMIT)).toBe(false);
    expect(seqs.isOpen(0)).toBe(true);
    expect(seqs.last(DENSE_SID_LIMIT)).toBeUndefined();
    expect(seqs.check(DENSE_SID_LIMIT + 1, 1)).toBe(SEQ_UNKNOWN);
  });

  it('map fallback: a regressed seq is a duplicate and leaves last unchanged (mutation survivor)', () => {
    const seqs = new SeqTracker();
    const sid = 2 ** 31;
    seqs.open(sid);
    expect(seqs.check(sid, 5)).toBe(4);
    expect(seqs.check(sid, 3)).toBe(SEQ_DUPLICATE);
    expect(seqs.last(sid)).toBe(5);
    expect(seqs.check(sid, 6)).toBe(SEQ_IN_ORDER);
  });
});
