import type { MarketUniverse, SimMarket } from './market-universe';
import type { ResolvedTraffic } from './options';
import type { Publisher } from './publisher';
import type { SimSession } from './session';
import type { SubscriptionRegistry } from './sub-registry';
import type { SimSubscription } from './subscription';

/** Market churn the generator triggers for `lifecyclePerSecond`. */
export interface ChurnHooks {
  /** List a new market (emits created + activated). */
  addMarket(): void;
  /** End a random open market (emits determined). */
  endRandomMarket(): void;
}

// Catch-up after an event-loop stall is capped, so a stall does not turn into a flood.
const MAX_TICK_MS = 100;

/**
 * All generated traffic comes from ONE timer per simulator: each tick emits `rate × elapsed` frames
 * per kind (fractions carried over), round-robin over the sids that can carry them.
 */
export class TrafficGenerator {
  private timer: ReturnType<typeof setInterval> | undefined;
  private last = 0;
  private readonly startedAt = Date.now();
  private budgetBook = 0;
  private budgetTrade = 0;
  private budgetTicker = 0;
  private budgetLifecycle = 0;
  private rrBook = 0;
  private rrTrade = 0;
  private rrTicker = 0;
  private churnAdds = true;

  constructor(
    private traffic: ResolvedTraffic,
    private readonly universe: MarketUniverse,
    private readonly registry: SubscriptionRegistry,
    private readonly publisher: Publisher,
    private readonly churn: ChurnHooks,
    private readonly sessions: ReadonlyMap<number, SimSession>,
  ) {}

  /** Replace the rates (starts or stops the timer as needed). */
  set(traffic: ResolvedTraffic): void {
    const tickChanged = traffic.tickMs !== this.traffic.tickMs;
    this.traffic = traffic;
    if (tickChanged) this.stop();
    this.start();
  }

  /** Start the timer when any rate is non-zero. */
  start(): void {
    const t = this.traffic;
    const active = t.orderbookDeltasPerSecond + t.tradesPerSecond + t.tickersPerSecond + t.lifecyclePerSecond > 0;
    if (!active) return this.stop();
    if (this.timer !== undefined) return;
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), t.tickMs);
    this.timer.unref();
  }

  /** Stop the timer (idempotent). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    // One writev per socket per tick instead of one write per frame.
    const corked: SimSession[] = [];
    for (const session of this.sessions.values()) {
      if (!session.writable) continue;
      session.socket.cork();
      corked.push(session);
    }
    try {
      this.generate();
    } finally {
      for (const session of corked) session.socket.uncork();
    }
  }

  private generate(): void {
    const now = Date.now();
    const dt = Math.min(now - this.last, MAX_TICK_MS) / 1000;
    this.last = now;
    const t = this.traffic;
    const inBurst = t.burstEveryMs > 0 && (now - this.startedAt) % t.burstEveryMs < Math.min(t.burstDurationMs, t.burstEveryMs);
    const factor = inBurst ? t.burstFactor : 1;
    this.publisher.clock.refresh();
    const reg = this.registry.byChannel;

    this.budgetBook = reg.orderbook_delta.length === 0 ? 0 : this.budgetBook + t.orderbookDeltasPerSecond * factor * dt;
    let n = Math.floor(this.budgetBook);
    this.budgetBook -= n;
    for (let attempts = n * 4; n > 0 && attempts > 0; attempts--) {
      const subs = reg.orderbook_delta;
      if (subs.length === 0) break;
      const market = subs[this.rrBook++ % subs.length]!.nextMarket();
      if (market === undefined || !market.open) continue;
      this.publisher.delta(market);
      n--;
    }

    this.budgetTrade = reg.trade.length === 0 ? 0 : this.budgetTrade + t.tradesPerSecond * factor * dt;
    n = Math.floor(this.budgetTrade);
    this.budgetTrade -= n;
    for (let attempts = n * 4; n > 0 && attempts > 0; attempts--) {
      const subs = reg.trade;
      if (subs.length === 0) break;
      const market = this.pick(subs[this.rrTrade++ % subs.length]!);
      if (market === undefined) continue;
      this.publisher.trade(market);
      n--;
    }

    this.budgetTicker = reg.ticker.length === 0 ? 0 : this.budgetTicker + t.tickersPerSecond * factor * dt;
    n = Math.floor(this.budgetTicker);
    this.budgetTicker -= n;
    for (let attempts = n * 4; n > 0 && attempts > 0; attempts--) {
      const subs = reg.ticker;
      if (subs.length === 0) break;
      const market = this.pick(subs[this.rrTicker++ % subs.length]!);
      if (market === undefined) continue;
      this.publisher.ticker(market);
      n--;
    }

    this.budgetLifecycle += t.lifecyclePerSecond * factor * dt;
    n = Math.floor(this.budgetLifecycle);
    this.budgetLifecycle -= n;
    for (; n > 0; n--) {
      if (this.churnAdds || this.universe.size === 0) this.churn.addMarket();
      else this.churn.endRandomMarket();
      this.churnAdds = !this.churnAdds;
    }
  }

  private pick(sub: SimSubscription): SimMarket | undefined {
    const market = sub.global ? this.universe.nextOpen() : sub.nextMarket();
    return market?.open === true ? market : undefined;
  }
}
