import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LogFields, Logger, MarketChange } from 'kalshi-ws-pool';
import { MAX_TICKER_LENGTH, isValidTicker, noteDroppedTicker, validTickerChanges } from '../../../src/internal/ticker';

function recording(): { logger: Logger; warnings: LogFields[] } {
  const warnings: LogFields[] = [];
  const noop = (): void => {};
  return { logger: { debug: noop, info: noop, warn: (fields) => warnings.push(fields), error: noop }, warnings };
}

/** Every ticker-valued field of the real captured frames. */
function fixtureTickers(): string[] {
  const text = readFileSync(new URL('../../fixtures/kalshi-frames.jsonl', import.meta.url), 'utf8');
  const out = new Set<string>();
  for (const match of text.matchAll(/"(?:market_ticker|event_ticker|series_ticker|ticker)":"([^"]*)"/g)) out.add(match[1]!);
  return [...out];
}

describe('isValidTicker', () => {
  it('accepts every ticker in the real captured frames and the documented shapes', () => {
    const real = fixtureTickers();
    expect(real.length).toBeGreaterThan(10);
    for (const ticker of [...real, 'KXBTCD-25DEC0517-T97999.99', 'kx_lower-1', 'A', 'K'.repeat(MAX_TICKER_LENGTH)]) {
      expect(isValidTicker(ticker), ticker).toBe(true);
    }
  });

  it.each([
    ['empty', ''],
    ['one past the length cap', 'K'.repeat(MAX_TICKER_LENGTH + 1)],
    ['a megabyte', 'K'.repeat(1 << 20)],
    ['a newline (log forging)', 'KXBTCD\nFORGED'],
    ['an ANSI escape', 'KX\u001b[31m'],
    ['a space', 'KX BTC'],
    ['a NATS wildcard', 'KX.*'],
    ['a slash', 'KX/../etc'],
    ['non-ASCII', 'KXBTCÐ'],
    ['a bidi override', 'KX\u202eCTB'],
  ])('rejects %s', (_why, ticker) => {
    expect(isValidTicker(ticker)).toBe(false);
  });

  it('rejects non-strings', () => {
    for (const value of [undefined, null, 42, {}, ['KX'], Symbol('KX')]) expect(isValidTicker(value)).toBe(false);
  });
});

describe('dropped-ticker warnings', () => {
  it('fold to the 1st, 10th, 100th, ... drop with the running total and a log-safe sample', () => {
    const { logger, warnings } = recording();
    for (let i = 0; i < 1_000; i++) noteDroppedTicker(logger, 'test', `BAD\n${'x'.repeat(100)}`);
    expect(warnings.map((w) => w['droppedTickers'])).toEqual([1, 10, 100, 1_000]);
    const sample = String(warnings[0]!['ticker']);
    expect(sample).not.toContain('\n');
    expect(sample.length).toBeLessThan(80);
  });

  it('keep one count per logger', () => {
    const a = recording();
    const b = recording();
    expect(noteDroppedTicker(a.logger, 'test', '')).toBe(1);
    expect(noteDroppedTicker(a.logger, 'test', '')).toBe(2);
    expect(noteDroppedTicker(b.logger, 'test', '')).toBe(1);
  });
});

describe('validTickerChanges', () => {
  it('returns the same array when every ticker is valid', () => {
    const { logger, warnings } = recording();
    const changes: MarketChange[] = [{ kind: 'added', ticker: 'KX-1' }, { kind: 'removed', ticker: 'KX-2' }];
    expect(validTickerChanges(changes, logger)).toBe(changes);
    expect(warnings).toEqual([]);
  });

  it('drops invalid entries, keeps the order of the rest, and warns once for the first', () => {
    const { logger, warnings } = recording();
    const changes: MarketChange[] = [
      { kind: 'added', ticker: 'KX-1' },
      { kind: 'added', ticker: 'K'.repeat(500) },
      { kind: 'removed', ticker: 'KX-2' },
      { kind: 'added', ticker: 'bad ticker' },
    ];
    expect(validTickerChanges(changes, logger)).toEqual([changes[0], changes[2]]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ source: 'registry', droppedTickers: 1 });
  });
});
