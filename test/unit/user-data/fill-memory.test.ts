import { describe, expect, it } from 'vitest';
import { FillMemory, fillIdOf, fillTimeOf } from '../../../src/user-data/fill-backfill';

describe('FillMemory', () => {
  it('admits each id once and forgets the oldest beyond its capacity', () => {
    const memory = new FillMemory(3);
    expect(memory.admit('a', 1_000)).toBe(true);
    expect(memory.admit('a', 1_000)).toBe(false);
    for (const id of ['b', 'c', 'd']) expect(memory.admit(id, 2_000)).toBe(true);
    expect(memory.size).toBe(3);
    expect(memory.admit('a', 500)).toBe(true); // forgotten, so admitted again
    expect(memory.lastFillAt).toBe(2_000); // an older fill does not move the high-water mark back
  });

  it('stays bounded over many ids', () => {
    const memory = new FillMemory(100);
    for (let i = 0; i < 50_000; i++) memory.admit(`f${i}`, i);
    expect(memory.size).toBe(100);
    expect(memory.admit('f49999', 0)).toBe(false);
    expect(memory.admit('f0', 0)).toBe(true);
  });
});

describe('fill fields', () => {
  it('reads fill_id, then trade_id; ts in seconds or created_time', () => {
    expect(fillIdOf({ fill_id: 'x', trade_id: 'y' })).toBe('x');
    expect(fillIdOf({ trade_id: 'y' })).toBe('y');
    expect(fillIdOf({ trade_id: '' })).toBeUndefined();
    expect(fillTimeOf({ ts: 1_787_186_161 })).toBe(1_787_186_161_000);
    expect(fillTimeOf({ created_time: '2026-08-20T00:36:01.000Z' })).toBe(Date.parse('2026-08-20T00:36:01.000Z'));
    expect(fillTimeOf({})).toBe(0);
  });
});
