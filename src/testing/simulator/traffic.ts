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

/** One kind of generated market-data frame: its channel, its rate option and how it is published. */
interface StreamKind {
  readonly channel: 'orderbook_delta' | 'trade' | 'ticker';
  readonly rate: (t: ResolvedTraffic) => number;
  readonly publish: (publisher: Publisher, market: SimMarket) => void;
}

/** The generated streams, in the order each tick emits them. Lifecycle churn is handled apart. */
const STREAMS: readonly StreamKind[] = [
  { channel: 'orderbook_delta', rate: (t) => t.orderbookDeltasPerSecond, publish: (p, m) => p.delta(m) },
  { channel: 'trade', rate: (t) => t.tradesPerSecond, publish: (p, m) => p.trade(m) },
  { channel: 'ticker', rate: (t) => t.tickersPerSecond, publish: (p, m) => p.ticker(m) },
];

/**
 * All generated traffic comes from ONE timer per simulator: each tick emits `rate × elapsed` frames
 * per kind (fractions carried over), round-robin over the sids that can carry them.
 */
export class TrafficGenerator {
  private timer: ReturnType<typeof setInterval> | undefined;
  private last = 0;
  private readonly startedAt = Date.now();
  /** Frames owed per stream (fractions carried to the next tick). */
  private readonly budgets = new Float64Array(STREAMS.length);
  private budgetLifecycle = 0;
  /** Round-robin position per stream over its subscriptions. */
  private readonly cursors = new Uint32Array(STREAMS.length);
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

    for (let k = 0; k < STREAMS.length; k++) {
      const stream = STREAMS[k]!;
      const subs = reg[stream.channel];
      this.budgets[k] = subs.length === 0 ? 0 : this.budgets[k]! + stream.rate(t) * factor * dt;
      let n = Math.floor(this.budgets[k]!);
      this.budgets[k]! -= n;
      // A few extra tries per frame: a picked sid may have no open market right now.
      for (let attempts = n * 4; n > 0 && attempts > 0 && subs.length > 0; attempts--) {
        const market = this.pick(subs[this.cursors[k]!++ % subs.length]!);
        if (market === undefined) continue;
        stream.publish(this.publisher, market);
        n--;
      }
    }

    this.budgetLifecycle += t.lifecyclePerSecond * factor * dt;
    let n = Math.floor(this.budgetLifecycle);
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
