import { isValidTicker } from '../internal/ticker';
import type { RawMessage } from '../raw-message';

/** What a `market_lifecycle_v2` frame means for the market set. */
export interface LifecycleChange {
  /** `add` for created/activated, `remove` for deactivated/determined/settled. */
  readonly action: 'add' | 'remove';
  /** The market ticker (`msg.market_ticker`). */
  readonly ticker: string;
  /** `msg.event_ticker` or `msg.additional_metadata.event_ticker`, when the frame has one. */
  readonly eventTicker: string | undefined;
  /** Kalshi's `event_type`, e.g. `settled`. */
  readonly eventType: string;
}

const actions: Readonly<Record<string, 'add' | 'remove'>> = Object.freeze({
  created: 'add',
  activated: 'add',
  deactivated: 'remove',
  determined: 'remove',
  settled: 'remove',
});

const decoder = new TextDecoder();

function stringField(object: unknown, key: string): string | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const value = (object as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Reads a lifecycle frame. Returns undefined for frames that do not change the set: other types
 * (`event_lifecycle`, `event_fee_update`), other event types (`close_date_updated`, `metadata_updated`, …),
 * and malformed frames. A market ticker that fails `isValidTicker` (1-128 characters of `A-Z a-z 0-9 - . _`)
 * is reported to `onInvalidTicker` and the frame ignored, so a server cannot grow the registry and the
 * placement with arbitrary strings. Parsing JSON here is fine: lifecycle frames are rare and off the hot path.
 */
export function readLifecycleChange(
  message: RawMessage,
  onInvalidTicker?: (ticker: string) => void,
): LifecycleChange | undefined {
  if (message.type !== 'market_lifecycle_v2') return undefined;
  let frame: unknown;
  try {
    frame = JSON.parse(decoder.decode(message.data));
  } catch {
    return undefined;
  }
  const msg = typeof frame === 'object' && frame !== null ? (frame as { msg?: unknown }).msg : undefined;
  const eventType = stringField(msg, 'event_type');
  const ticker = stringField(msg, 'market_ticker');
  if (eventType === undefined || ticker === undefined) return undefined;
  const action = Object.hasOwn(actions, eventType) ? actions[eventType] : undefined;
  if (action === undefined) return undefined;
  if (!isValidTicker(ticker)) {
    onInvalidTicker?.(ticker);
    return undefined;
  }
  const metadata = typeof msg === 'object' && msg !== null ? (msg as { additional_metadata?: unknown }).additional_metadata : undefined;
  const eventTicker = stringField(msg, 'event_ticker') ?? stringField(metadata, 'event_ticker');
  return { action, ticker, eventTicker, eventType };
}
