import { errorFrame } from './frames';
import type { MarketUniverse, SimMarket } from './market-universe';
import type { ResolvedLimits } from './options';
import type { Publisher } from './publisher';
import type { SimSession } from './session';
import type { StatsCounters } from './stats';
import type { SubscriptionRegistry } from './sub-registry';
import type { SimSubscription } from './subscription';

/** What command handlers need from the simulator. */
export interface CommandEnv {
  readonly universe: MarketUniverse;
  readonly registry: SubscriptionRegistry;
  readonly publisher: Publisher;
  readonly stats: StatsCounters;
  readonly limits: ResolvedLimits;
  readonly omitIdOnSidErrors: boolean;
}

/** A parsed command as handlers see it. */
export interface ParsedCommand {
  readonly id: number;
  readonly cmd: string;
  readonly params: Record<string, unknown> | undefined;
}

/** Reply with an error that is not sid-scoped (carries the command id, no sid, no seq). */
export function replyError(env: CommandEnv, session: SimSession, id: number, code: number): void {
  if (session.send(errorFrame(session.alphabetical, id, code))) env.stats.error(code);
}

/**
 * Reply with a sid-scoped error to a command: `sid` plus the sid's next `seq` (sequenced channels),
 * and the command id unless `omitIdOnSidErrors`.
 */
export function replySidError(env: CommandEnv, sub: SimSubscription, id: number, code: number): void {
  env.publisher.sidError(sub, code, env.omitIdOnSidErrors ? undefined : id);
}

/**
 * Count a command against the sid's per-second budget (error 27 beyond it).
 * @returns true when the command was refused.
 */
export function rateLimited(env: CommandEnv, sub: SimSubscription, id: number): boolean {
  const limit = env.limits.commandsPerSecondPerSubscription;
  if (limit === Number.POSITIVE_INFINITY) return false;
  const now = Date.now();
  if (now - sub.commandWindowStart >= 1000) {
    sub.commandWindowStart = now;
    sub.commandWindowCount = 0;
  }
  if (++sub.commandWindowCount <= limit) return false;
  replySidError(env, sub, id, 27);
  return true;
}

/**
 * `market_ticker` and/or `market_tickers` of a command, deduplicated in order.
 * @returns undefined when neither is given, `'invalid'` when either has the wrong type.
 */
export function readTickers(params: Record<string, unknown>): string[] | undefined | 'invalid' {
  const one = params['market_ticker'];
  const many = params['market_tickers'];
  if (one === undefined && many === undefined) return undefined;
  const out = new Set<string>();
  if (one !== undefined) {
    if (typeof one !== 'string' || one === '') return 'invalid';
    out.add(one);
  }
  if (many !== undefined) {
    if (!Array.isArray(many)) return 'invalid';
    for (const ticker of many) {
      if (typeof ticker !== 'string' || ticker === '') return 'invalid';
      out.add(ticker);
    }
  }
  return [...out];
}

/** The market objects of tickers; unknown tickers get unlisted markets with empty books. */
export function marketsOf(env: CommandEnv, tickers: readonly string[]): SimMarket[] {
  return tickers.map((ticker) => env.universe.getOrDetached(ticker));
}

/** True for a positive safe integer (a sid). */
export function isSid(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
