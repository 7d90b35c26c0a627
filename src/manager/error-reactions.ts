/**
 * The one table of what the pool does about a Kalshi error code, by where it arrived. Every command loop
 * (book sync, gap repair, role subscription) and the slot's sid-scoped error handler consult it instead
 * of testing codes by number. docs/errors.md describes the same table (a unit test checks they agree).
 * @internal
 */
import { CommandRejectedError } from '../errors';

/** Where an error arrived. @internal */
export type ErrorContext = 'frame' | 'orderbook-command' | 'repair' | 'role';

/** What the pool does. @internal */
export type KalshiReaction =
  /** The sid is gone: retire it, unsubscribe it (failure ignored), subscribe again. */
  | { readonly kind: 'resubscribe' }
  /** Rate limited: hold every command of the pool (`ms`, or the command backoff when undefined), then retry. */
  | { readonly kind: 'hold'; readonly ms: number | undefined }
  /** The connection holds all it can: place the markets elsewhere. */
  | { readonly kind: 'slot-full' }
  /** Authentication required: redial with a fresh signature. */
  | { readonly kind: 'redial' }
  /** Default handling: split a batch / bounded retries, then drop. */
  | { readonly kind: 'retry' };

/** Hold after a rate-limited `get_snapshot` (repairs are retried once, not backed off). */
export const REPAIR_HOLD_MS = 1_000;

const RESUBSCRIBE: KalshiReaction = { kind: 'resubscribe' };
const RETRY: KalshiReaction = { kind: 'retry' };

/** Codes whose reaction does not depend on the context. */
const SID_GONE = new Set([7, 10, 25]);
const RATE_LIMITED = new Set([18, 27]);

/**
 * What the pool does about Kalshi error `code` arriving in `context`.
 * @example
 * kalshiReaction(26, 'orderbook-command') // { kind: 'slot-full' }
 */
export function kalshiReaction(code: number | undefined, context: ErrorContext): KalshiReaction {
  if (code === undefined) return RETRY;
  if (SID_GONE.has(code)) return RESUBSCRIBE;
  if (RATE_LIMITED.has(code)) return { kind: 'hold', ms: context === 'repair' ? REPAIR_HOLD_MS : undefined };
  if (context === 'orderbook-command' && code === 26) return { kind: 'slot-full' };
  if (context === 'orderbook-command' && code === 9) return { kind: 'redial' };
  return RETRY;
}

/** The reaction to a failed command's error (`retry` for anything but a Kalshi rejection). @internal */
export function reactionToError(error: unknown, context: ErrorContext): KalshiReaction {
  return error instanceof CommandRejectedError ? kalshiReaction(error.kalshiCode, context) : RETRY;
}
