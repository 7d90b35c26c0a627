import { priceDollars, sizeFp, uuidFrom } from './fixed-point';
import type { Rng } from './fixed-point';
import { deltaFrame, errorFrame, lifecycleFrame, snapshotFrame, tickerFrame, tradeFrame } from './frames';
import type { MarketUniverse, SimMarket } from './market-universe';
import type { StatsCounters } from './stats';
import type { SubscriptionRegistry } from './sub-registry';
import type { SimSubscription } from './subscription';

/** Largest padding of a delta frame, in bytes. */
export const MAX_PAD_BYTES = 65_536;
const PAD = 'x'.repeat(MAX_PAD_BYTES);
// Length of `,"pad":""`.
const PAD_MEMBER_BYTES = 9;

/** Lifecycle events the simulator emits. */
export type SimLifecycleEvent = 'created' | 'activated' | 'deactivated' | 'determined' | 'settled';

/**
 * The time written into generated frames. With `stampSendTime` the clock is re-read every few frames
 * (so `ts_ms` is the send time within a few µs); otherwise only once per traffic tick.
 */
class FrameClock {
  ms = Date.now();
  sec = Math.floor(this.ms / 1000);
  iso = new Date(this.ms).toISOString();
  private frames = 0;

  constructor(private readonly live: boolean) {}

  /** Re-read the clock (ISO string only rebuilt when the millisecond changed). */
  refresh(): void {
    const now = Date.now();
    this.frames = 0;
    if (now === this.ms) return;
    this.ms = now;
    this.sec = Math.floor(now / 1000);
    this.iso = new Date(now).toISOString();
  }

  /** Called per frame: refresh every 32 frames when stamping send time. */
  step(): void {
    if (this.live && ++this.frames >= 32) this.refresh();
  }
}

/**
 * Builds and delivers market-data frames to every subscription that should see them, taking seqs,
 * honouring silence (frames lost, seqs consumed) and the error-25 buffer limit.
 */
export class Publisher {
  /** Time source of generated frames; the traffic timer refreshes it each tick. */
  readonly clock: FrameClock;
  /** Pad generated deltas to this many bytes with a `"pad"` member (0 = off; blast `frameBytes`). */
  padTo = 0;
  private tradeCounter = 0;
  private readonly rng: Rng;

  constructor(
    private readonly universe: MarketUniverse,
    private readonly registry: SubscriptionRegistry,
    private readonly stats: StatsCounters,
    private readonly maxBufferedBytes: number,
    stampSendTime: boolean,
  ) {
    this.clock = new FrameClock(stampSendTime);
    this.rng = universe.rng;
  }

  /**
   * Whether `sub` may get a frame now (call before taking its seq). When its socket's buffer passed the
   * limit the subscription gets error 25 and is dropped (Kalshi's slow-consumer rule) and false is returned.
   */
  private admit(sub: SimSubscription): boolean {
    const session = sub.session;
    if (session.faults.silenced) {
      // Lost on a half-open link: the seq is consumed, so the client sees a gap afterwards.
      if (sub.sequenced) sub.nextSeq();
      return false;
    }
    if (!session.writable) return false;
    if (session.ws.bufferedAmount <= this.maxBufferedBytes) return true;
    this.sidError(sub, 25);
    return false;
  }

  /** Apply one random change to the market's book and send the delta to every orderbook sid holding it. */
  delta(market: SimMarket): number {
    const d = this.universe.books.randomDelta(market.slot, this.rng);
    const head = market.head;
    const price = priceDollars(d.priceTicks);
    const size = sizeFp(d.deltaHundredths);
    const holders = market.holders;
    if (holders === undefined) return 0;
    let sent = 0;
    // Backwards: a sub dropped for error 25 is swapped out of this very array.
    for (let i = holders.length - 1; i >= 0; i--) {
      const sub = holders[i]!;
      if (!this.admit(sub)) continue;
      const seq = sub.nextSeq();
      this.clock.step();
      const c = this.clock;
      const alpha = sub.session.alphabetical;
      let text = deltaFrame(alpha, sub.sid, seq, head, price, size, d.side, c.iso, c.ms, '');
      if (this.padTo > 0) {
        const missing = this.padTo - text.length - PAD_MEMBER_BYTES;
        if (missing > 0) text = deltaFrame(alpha, sub.sid, seq, head, price, size, d.side, c.iso, c.ms, `,"pad":"${PAD.slice(0, missing)}"`);
      }
      if (sub.session.sendOnSub(sub, text)) sent++;
    }
    return sent;
  }

  /** A snapshot of the market's current book on `sub` (takes a seq); `id` for get_snapshot replies. */
  snapshot(sub: SimSubscription, market: SimMarket, id?: number): boolean {
    if (!this.admit(sub)) return false;
    const seq = sub.nextSeq();
    const sides = this.universe.books.snapshotSides(market.slot);
    return sub.session.sendOnSub(sub, snapshotFrame(sub.session.alphabetical, sub.sid, seq, market.head, sides, id));
  }

  /** One trade on the market, sent to every trade sid covering it. */
  trade(market: SimMarket): number {
    const books = this.universe.books;
    const yes = Math.max(1, Math.min(99, books.mid(market.slot) + this.rng.int(3) - 1));
    const taker = this.rng.next() < 0.5 ? 'yes' : 'no';
    const count = 1 + this.rng.int(10_000);
    this.clock.step();
    const c = this.clock;
    const tradeId = uuidFrom(++this.tradeCounter, market.slot);
    const msg = `{"trade_id":"${tradeId}","market_ticker":"${market.tickerJson}","yes_price_dollars":"${priceDollars(yes * 100)}","no_price_dollars":"${priceDollars((100 - yes) * 100)}","count_fp":"${sizeFp(count)}","taker_outcome_side":"${taker}","taker_book_side":"bid","taker_side":"${taker}","is_block_trade":false,"ts":${c.sec},"ts_ms":${c.ms}}`;
    const subs = this.registry.byChannel.trade;
    let sent = 0;
    for (let i = subs.length - 1; i >= 0; i--) {
      const sub = subs[i]!;
      if (!sub.global && !sub.markets.has(market.ticker)) continue;
      if (!this.admit(sub)) continue;
      const seq = sub.nextSeq();
      if (sub.session.sendOnSub(sub, tradeFrame(sub.session.alphabetical, sub.sid, seq, msg))) sent++;
    }
    return sent;
  }

  /** One ticker update for the market (unsequenced), to every ticker sid covering it; `only` limits it to one sid. */
  ticker(market: SimMarket, only?: SimSubscription): number {
    const books = this.universe.books;
    const bid = books.best(market.slot, 0);
    const noBid = books.best(market.slot, 1);
    const ask = noBid === 0 ? 10_000 : 10_000 - noBid;
    this.clock.step();
    const c = this.clock;
    const volume = 100 * (market.slot * 37 + this.rng.int(1000));
    const msg = `${market.head},"price_dollars":"${priceDollars(bid)}","yes_bid_dollars":"${priceDollars(bid)}","yes_ask_dollars":"${priceDollars(ask)}","volume_fp":"${sizeFp(volume)}","open_interest_fp":"${sizeFp(volume >> 1)}","dollar_volume":${Math.floor(volume / 200)},"dollar_open_interest":${Math.floor(volume / 400)},"yes_bid_size_fp":"${sizeFp(books.bestSize(market.slot, 0))}","yes_ask_size_fp":"${sizeFp(books.bestSize(market.slot, 1))}","last_trade_size_fp":"${sizeFp(100 + this.rng.int(5000))}","time":"${c.iso}","ts":${c.sec},"ts_ms":${c.ms}}`;
    const subs = only === undefined ? this.registry.byChannel.ticker : [only];
    let sent = 0;
    for (let i = subs.length - 1; i >= 0; i--) {
      const sub = subs[i]!;
      if (!sub.global && !sub.markets.has(market.ticker)) continue;
      if (!this.admit(sub)) continue;
      if (sub.session.sendOnSub(sub, tickerFrame(sub.session.alphabetical, sub.sid, msg))) sent++;
    }
    return sent;
  }

  /** One lifecycle event for the market, to every lifecycle sid. */
  lifecycle(market: SimMarket, event: SimLifecycleEvent): number {
    const now = Math.floor(Date.now() / 1000);
    const body: Record<string, unknown> = { market_ticker: market.ticker, event_type: event };
    if (event === 'created') {
      body['open_ts'] = market.openTs || now;
      body['close_ts'] = now + 7 * 86_400;
      body['additional_metadata'] = {
        name: market.ticker,
        title: `Will ${market.ticker} resolve Yes?`,
        event_ticker: market.eventTicker,
        can_close_early: true,
        expected_expiration_ts: now + 7 * 86_400,
        strike_type: 'structured',
      };
    } else if (event === 'determined') {
      const yes = this.universe.books.mid(market.slot) >= 50;
      body['result'] = yes ? 'yes' : 'no';
      body['settlement_value'] = yes ? '1.0000' : '0.0000';
      body['determination_ts'] = now;
    } else if (event === 'settled') {
      body['settled_ts'] = now;
    } else if (event === 'deactivated') {
      body['is_deactivated'] = true;
    }
    const msg = JSON.stringify(body);
    const subs = this.registry.byChannel.market_lifecycle_v2;
    let sent = 0;
    for (let i = subs.length - 1; i >= 0; i--) {
      const sub = subs[i]!;
      if (!this.admit(sub)) continue;
      const seq = sub.nextSeq();
      if (sub.session.sendOnSub(sub, lifecycleFrame(sub.session.alphabetical, sub.sid, seq, msg))) sent++;
    }
    return sent;
  }

  /**
   * An unsolicited, sid-scoped error (no id; takes a seq on sequenced channels). Codes 10 and 25 are
   * terminal: the subscription is dropped server-side right after.
   */
  sidError(sub: SimSubscription, code: number, id?: number): void {
    const seq = sub.sequenced ? sub.nextSeq() : undefined;
    if (sub.session.sendOnSub(sub, errorFrame(sub.session.alphabetical, id, code, sub.sid, seq))) this.stats.error(code);
    if (code === 10 || code === 25) this.registry.drop(sub);
  }
}
