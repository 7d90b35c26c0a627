import { newSidFaults } from './faults';
import type { SidFaults } from './faults';
import type { SimMarket } from './market-universe';
import type { SimSession } from './session';

/** Channels the simulator serves. */
export const SIM_CHANNELS = ['orderbook_delta', 'ticker', 'trade', 'market_lifecycle_v2'] as const;

/** A channel the simulator serves. */
export type SimChannel = (typeof SIM_CHANNELS)[number];

/** True for a channel name the simulator serves (others get error 8, e.g. the retired `ticker_v2`). */
export function isSimChannel(name: string): name is SimChannel {
  return (SIM_CHANNELS as readonly string[]).includes(name);
}

/**
 * One subscription (sid) on one connection: a channel, a set of markets (or every market when global),
 * and the sid's sequence counter shared by its data and control frames.
 */
export class SimSubscription {
  /** Whether frames of this channel carry `seq` (every channel but `ticker`). */
  readonly sequenced: boolean;
  /** Markets held, in insertion order (empty and ignored when {@link global}). */
  readonly markets = new Map<string, SimMarket>();
  /** Last seq sent (0 before the first frame). */
  seq = 0;
  /** False once unsubscribed or dropped server-side. */
  open = true;
  /** Frames sent on this sid (data and sid-scoped control frames). */
  framesSent = 0;
  /** Pending seq faults of this sid (see faults.ts). */
  faults: SidFaults = newSidFaults();
  /** `use_yes_price` as requested (recorded; books are always sent as yes/no bids). */
  useYesPrice = false;
  /** Start of the current 1-second command window, for error 27. */
  commandWindowStart = 0;
  /** Commands that targeted this sid in the current window. */
  commandWindowCount = 0;
  private cursor: Iterator<SimMarket> | undefined;

  constructor(
    /** Subscription id, from 1 on each connection. */
    readonly sid: number,
    /** The channel. */
    readonly channel: SimChannel,
    /** The connection it belongs to. */
    readonly session: SimSession,
    /** True when it covers every market (ticker/trade without a filter, and lifecycle). */
    public global: boolean,
  ) {
    this.sequenced = channel !== 'ticker';
  }

  /** Take the next seq, applying pending skip/repeat faults. */
  nextSeq(): number {
    const faults = this.faults;
    if (faults.repeat) {
      faults.repeat = false;
      if (this.seq > 0) return this.seq;
    }
    if (faults.skip !== 0) {
      this.seq += faults.skip;
      faults.skip = 0;
    }
    return ++this.seq;
  }

  /** The next held market in round-robin order (undefined when it holds none). */
  nextMarket(): SimMarket | undefined {
    if (this.markets.size === 0) return undefined;
    // Map iterators survive deletions, and restart cleanly when exhausted.
    let step = this.cursor?.next();
    if (step === undefined || step.done === true) {
      this.cursor = this.markets.values();
      step = this.cursor.next();
    }
    return step.done === true ? undefined : step.value;
  }

  /** Tickers held, as a JSON array (for `ok` replies). */
  tickersJson(): string {
    return JSON.stringify([...this.markets.keys()]);
  }
}
