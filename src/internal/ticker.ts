/**
 * The one market-ticker check. Tickers reach the pool from places it does not control (REST listings,
 * lifecycle `created` frames, a user's Registry), and each one becomes a placement entry, a subscribe
 * argument and a map key; a server could otherwise grow those with tickers of any length or content.
 * See docs/security.md "Byte budgets".
 * @packageDocumentation
 */
import type { MarketChange } from '../ports/registry';
import type { Logger } from '../ports/logger';

/**
 * Longest accepted ticker, in characters. Real tickers are about 20-45 (`KXBTCD-25DEC0517-T97999.99`,
 * `KXMLBHR-26AUG191805MIAPHI-MIAGCONINE18-1`); 128 leaves room for longer series without letting one
 * ticker cost more than a few hundred bytes wherever it is stored.
 */
export const MAX_TICKER_LENGTH = 128;

// A-Z a-z 0-9 and `-` `.` `_`: every ticker in Kalshi's listings and frames we have seen uses a subset of it
// (`-` separates series/event/market, `.` appears in strikes such as `T97999.99`).
const TICKER = /^[A-Za-z0-9._-]+$/;

/**
 * True when `value` is a plausible Kalshi market ticker: a string of 1-{@link MAX_TICKER_LENGTH}
 * characters from `A-Z a-z 0-9 - . _`. Everything else is dropped where it enters the pool.
 * @example
 * isValidTicker('KXBTCD-25DEC0517-T97999.99') // true
 * isValidTicker('KX\nFORGED') // false
 */
export function isValidTicker(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TICKER_LENGTH && TICKER.test(value);
}

/** A log-safe description of a rejected value: its type, length and a short escaped prefix. */
export function describeTicker(value: unknown): string {
  if (typeof value !== 'string') return `a ${value === null ? 'null' : typeof value}`;
  return `${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? '…' : ''} (${value.length} chars)`;
}

/** Drops per logger, so the warnings of one pool fold together. */
const dropped = new WeakMap<Logger, number>();

/**
 * Counts one dropped ticker against `logger` and warns on the 1st, 10th, 100th, … drop (a bounded fold:
 * a hostile feed of bad tickers costs a logarithmic number of log lines, with the running total in each).
 * @returns the running total for that logger.
 */
export function noteDroppedTicker(logger: Logger, source: string, value: unknown): number {
  const total = (dropped.get(logger) ?? 0) + 1;
  dropped.set(logger, total);
  if (isPowerOfTen(total)) {
    logger.warn(
      { source, ticker: describeTicker(value), droppedTickers: total },
      `invalid market ticker dropped (1-${MAX_TICKER_LENGTH} characters of A-Z a-z 0-9 - . _ expected)`,
    );
  }
  return total;
}

function isPowerOfTen(n: number): boolean {
  let x = n;
  while (x >= 10 && x % 10 === 0) x /= 10;
  return x === 1;
}

/**
 * `changes` without the entries whose ticker fails {@link isValidTicker}; each dropped one is noted against
 * `logger`. Returns `changes` itself when every ticker is valid (the common case allocates nothing).
 */
export function validTickerChanges(changes: readonly MarketChange[], logger: Logger, source = 'registry'): readonly MarketChange[] {
  let bad = 0;
  for (const change of changes) if (!isValidTicker(change.ticker)) bad++;
  if (bad === 0) return changes;
  const kept: MarketChange[] = [];
  for (const change of changes) {
    if (isValidTicker(change.ticker)) kept.push(change);
    else noteDroppedTicker(logger, source, change.ticker);
  }
  return kept;
}
