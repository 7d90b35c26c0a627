import { describe, expect, it } from 'vitest';
import { ConfigError } from 'kalshi-ws-pool';
import { closestName, editDistance } from '../../../src/internal/closest-name';
import { MAX_DURATION_MS, readDuration, readNumber, readOptions } from '../../../src/internal/validate';

describe('closestName', () => {
  it('finds typos, swaps and case slips, and nothing for unrelated names', () => {
    expect(editDistance('reconect', 'reconnect')).toBe(1);
    expect(editDistance('reconenct', 'reconnect')).toBe(1);
    expect(closestName('reconect', ['repair', 'reconnect', 'registry'])).toBe('reconnect');
    expect(closestName('orderbooks', ['ticker', 'trade', 'lifecycle', 'orderbook'])).toBe('orderbook');
    expect(closestName('MaxPayload', ['maxPayload'])).toBe('maxPayload');
    expect(closestName('zzzz', ['ticker', 'trade'])).toBeUndefined();
  });
});

describe('validate', () => {
  it('readOptions names the unknown key with its path and suggestion', () => {
    expect(() => readOptions({ capacty: 1 }, 'queue', ['capacity'])).toThrow("queue.capacty: unknown option 'queue.capacty'; did you mean 'queue.capacity'?");
    expect(() => readOptions([], 'queue', ['capacity'])).toThrow(ConfigError);
    expect(readOptions(undefined, 'queue', [])).toEqual({});
  });

  it('readDuration caps at 2^31-1 and honours allowZero', () => {
    expect(readDuration(MAX_DURATION_MS, 1, 'x')).toBe(MAX_DURATION_MS);
    expect(() => readDuration(MAX_DURATION_MS + 1, 1, 'x')).toThrow(/<= 2147483647/);
    expect(() => readDuration(0, 1, 'x', false)).toThrow(/> 0/);
    expect(() => readDuration(Number.POSITIVE_INFINITY, 1, 'x')).toThrow(ConfigError);
    expect(readDuration(undefined, 7, 'x')).toBe(7);
  });

  it('readNumber: integers, bounds, Infinity only when allowed', () => {
    expect(() => readNumber(1.5, 1, 'n', { integer: true })).toThrow(/integer/);
    expect(readNumber(Number.POSITIVE_INFINITY, 1, 'n', { infinite: true })).toBe(Number.POSITIVE_INFINITY);
    expect(() => readNumber(Number.NaN, 1, 'n')).toThrow(ConfigError);
    expect(() => readNumber('5', 1, 'n')).toThrow('n: must be a number >= 0, got "5"');
  });
});
