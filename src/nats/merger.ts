/**
 * The per-market merge behind `createJetStreamSource`: picks one gatherer's in-order orderbook stream per
 * market, keeps the others' latest snapshot (plus the deltas since) as warm standbys, and fails over when
 * the current stream gaps or its gatherer goes silent. Pure: messages in, messages out; time is the
 * gatherers' `receivedAt` (so replaying history behaves like live).
 * @packageDocumentation
 */
import type { RawMessage } from '../raw-message';

/** One message as the source yields it: a {@link RawMessage} plus where it came from. */
export interface JetStreamMessage extends RawMessage {
  /**
   * As yielded by `createJetStreamSource`: a consumer-local id, distinct per (gatherer, run, gatherer connection),
   * so (connectionId, sid) never collides across gatherers in a book store. (Inside the merge: the gatherer's own id.)
   */
  readonly connectionId: number;
  /** Gatherer that published it. */
  readonly gathererId: string;
  /** That gatherer's run id (changes when the process restarts). */
  readonly runId: string;
  /** Market ticker (from the subject; `''` for frames without one). */
  readonly marketTicker: string;
  /** JetStream stream sequence. */
  readonly streamSequence: number;
  /** True on the snapshot (and replayed deltas) that start a failover to another gatherer. */
  readonly failover: boolean;
}

/** Counters of the merge, as a plain snapshot. */
export interface MergerStats {
  /** Messages yielded. */
  readonly delivered: number;
  /** Switches of a market from one gatherer to another. */
  readonly failovers: number;
  /** Orderbook frames of standby gatherers not yielded (they stay buffered until needed). */
  readonly standbyFrames: number;
  /** Trades, ticker and lifecycle frames dropped as already delivered (same message id). */
  readonly duplicates: number;
  /** Times a standby's buffer overflowed `maxBufferedDeltas` (it waits for its next snapshot). */
  readonly bufferOverflows: number;
  /** Markets that currently have no usable gatherer (waiting for a snapshot). */
  readonly stalledMarkets: number;
}

/** Limits of the merge. */
export interface MergerLimits {
  /** A gatherer that published nothing for this long (by `receivedAt`) loses its markets to replicas. */
  readonly silenceMs: number;
  /** Deltas buffered per market per standby gatherer; beyond it that standby waits for its next snapshot. */
  readonly maxBufferedDeltas: number;
  /** Shared message ids remembered to drop late duplicates. */
  readonly dedupeWindow: number;
}

interface Lane {
  snapshot: JetStreamMessage | undefined;
  deltas: JetStreamMessage[];
  /** The gatherer subscription (`source:connection:sid`) the lane's snapshot came on. */
  sidKey: string;
  /** That subscription's epoch when the snapshot came; a later gap on it bumps the epoch and voids the lane. */
  epoch: number;
}

/** Sequence state of one gatherer subscription: seq runs across all the sid's markets. */
interface SidState {
  seq: number;
  epoch: number;
  /** Frames that arrived ahead of a missing seq (a publish retry stored later), by seq. */
  readonly ahead: Map<number, { readonly source: string; readonly m: JetStreamMessage }>;
}

/** Frames held per subscription while waiting for a missing seq; beyond it the jump counts as a gap. */
const MAX_AHEAD = 1_000;

interface Market {
  current: string | undefined;
  readonly lanes: Map<string, Lane>;
}

/** Input of {@link Merger.push}: the message plus its message id (shared ids dedupe). */
export interface MergeInput {
  readonly message: JetStreamMessage;
  /** The `Nats-Msg-Id`; only ids of non-orderbook frames are remembered. */
  readonly msgId: string | undefined;
}

/** The stateful merge. */
export class Merger {
  readonly #limits: MergerLimits;
  readonly #markets = new Map<string, Market>();
  readonly #lastAt = new Map<string, number>();
  readonly #sids = new Map<string, SidState>();
  readonly #everFed = new Set<string>();
  readonly #silent = new Set<string>();
  readonly #seen = new Set<string>();
  readonly #seenOrder: string[] = [];
  #seenHead = 0;
  #now = 0;
  #lastSweep = 0;
  #delivered = 0;
  #failovers = 0;
  #standby = 0;
  #duplicates = 0;
  #overflows = 0;

  constructor(limits: MergerLimits) {
    this.#limits = limits;
  }

  /** Feed one message; returns what to yield, in order. */
  push(input: MergeInput, out: JetStreamMessage[]): void {
    const m = input.message;
    const source = `${m.gathererId}/${m.runId}`;
    if (m.receivedAt > this.#now) this.#now = m.receivedAt;
    this.#lastAt.set(source, m.receivedAt);
    this.#silent.delete(source);
    if (m.type === 'orderbook_snapshot' || m.type === 'orderbook_delta') this.#book(source, m, out);
    else if (input.msgId !== undefined && !input.msgId.startsWith(`${m.gathererId}.`) && this.#remember(input.msgId)) {
      this.#duplicates++;
    } else {
      out.push(m);
    }
    if (this.#now - this.#lastSweep >= this.#limits.silenceMs / 4) this.#sweep(out);
    this.#delivered += out.length;
  }

  /** True when the id was seen before; remembers it otherwise (bounded FIFO). */
  #remember(id: string): boolean {
    if (this.#seen.has(id)) return true;
    this.#seen.add(id);
    if (this.#seenOrder.length < this.#limits.dedupeWindow) this.#seenOrder.push(id);
    else {
      this.#seen.delete(this.#seenOrder[this.#seenHead]!);
      this.#seenOrder[this.#seenHead] = id;
      this.#seenHead = (this.#seenHead + 1) % this.#limits.dedupeWindow;
    }
    return false;
  }

  /** Track seq per gatherer subscription; a jump (or a flagged gap) bumps its epoch. @returns the epoch. */
  #advance(sidKey: string, m: JetStreamMessage, out: JetStreamMessage[]): number {
    let state = this.#sids.get(sidKey);
    if (state === undefined) {
      state = { seq: m.seq ?? 0, epoch: 0, ahead: new Map() };
      this.#sids.set(sidKey, state);
      return state.epoch;
    }
    const gap = m.seqGap || (m.seq !== undefined && m.seq !== state.seq + 1);
    if (m.seq !== undefined) state.seq = m.seq;
    if (gap) {
      state.epoch++;
      this.#voided(sidKey, state.epoch, out);
    }
    return state.epoch;
  }

  /** A gap on `sidKey`: every market currently fed from it fails over. Rare, so a full scan is fine. */
  #voided(sidKey: string, epoch: number, out: JetStreamMessage[]): void {
    for (const market of this.#markets.values()) {
      if (market.current === undefined) continue;
      const lane = market.lanes.get(market.current)!;
      if (lane.sidKey === sidKey && lane.epoch < epoch) {
        this.#break(lane);
        this.#failover(market, market.current, out);
      }
    }
  }

  #valid(lane: Lane): boolean {
    return lane.snapshot !== undefined && this.#sids.get(lane.sidKey)?.epoch === lane.epoch;
  }

  /**
   * Reorder per gatherer subscription: a retried publish can be stored after later frames, so a frame ahead of
   * a missing seq waits (bounded by MAX_AHEAD and silenceMs) for it; a late frame older than the seq is dropped.
   */
  #book(source: string, m: JetStreamMessage, out: JetStreamMessage[]): void {
    const sidKey = `${source}:${m.connectionId}:${m.sid ?? '-'}`;
    const state = this.#sids.get(sidKey);
    if (state !== undefined && m.seq !== undefined && !m.seqGap) {
      if (m.seq > state.seq + 1 && state.ahead.size < MAX_AHEAD) {
        state.ahead.set(m.seq, { source, m });
        return;
      }
      if (m.seq <= state.seq && m.type === 'orderbook_delta') return;
    }
    this.#bookOne(source, m, out);
    this.#release(sidKey, out);
  }

  #release(sidKey: string, out: JetStreamMessage[]): void {
    const state = this.#sids.get(sidKey);
    if (state === undefined) return;
    for (let next = state.ahead.get(state.seq + 1); next !== undefined; next = state.ahead.get(state.seq + 1)) {
      state.ahead.delete(next.m.seq!);
      this.#bookOne(next.source, next.m, out);
    }
  }

  /** Give up waiting: frames held longer than silenceMs are applied in seq order (the first one as a gap). */
  #flushAhead(out: JetStreamMessage[]): void {
    for (const [sidKey, state] of this.#sids) {
      if (state.ahead.size === 0) continue;
      let oldest = Infinity;
      for (const { m } of state.ahead.values()) oldest = Math.min(oldest, m.receivedAt);
      if (this.#now - oldest <= this.#limits.silenceMs) continue;
      const held = [...state.ahead.values()].sort((a, b) => a.m.seq! - b.m.seq!);
      state.ahead.clear();
      for (const { source, m } of held) this.#bookOne(source, m, out);
      this.#release(sidKey, out);
    }
  }

  #bookOne(source: string, m: JetStreamMessage, out: JetStreamMessage[]): void {
    let market = this.#markets.get(m.marketTicker);
    if (market === undefined) {
      market = { current: undefined, lanes: new Map() };
      this.#markets.set(m.marketTicker, market);
    }
    let lane = market.lanes.get(source);
    if (lane === undefined) {
      lane = { snapshot: undefined, deltas: [], sidKey: '', epoch: -1 };
      market.lanes.set(source, lane);
    }
    const sidKey = `${source}:${m.connectionId}:${m.sid ?? '-'}`;
    const epoch = this.#advance(sidKey, m, out);
    const isCurrent = market.current === source;
    if (m.type === 'orderbook_snapshot') {
      lane.snapshot = m;
      lane.deltas = [];
      lane.sidKey = sidKey;
      lane.epoch = epoch;
      if (isCurrent) out.push(m);
      else if (market.current === undefined) this.#switch(market, source, out, this.#everFed.has(m.marketTicker));
      else this.#standby++;
      return;
    }
    if (lane.sidKey !== sidKey || !this.#valid(lane)) {
      // A delta from a subscription the lane did not snapshot on, or after a gap: the lane waits for a snapshot.
      this.#break(lane);
      if (isCurrent) this.#failover(market, source, out);
      return;
    }
    if (isCurrent) {
      out.push(m);
      return;
    }
    this.#standby++;
    if (lane.deltas.length >= this.#limits.maxBufferedDeltas) {
      this.#overflows++;
      this.#break(lane);
      return;
    }
    lane.deltas.push(m);
    // A market left without a source (its gatherer gapped with no usable standby) takes the first lane that is whole again.
    if (market.current === undefined) this.#switch(market, source, out, true);
  }

  #break(lane: Lane): void {
    lane.snapshot = undefined;
    lane.deltas = [];
  }

  /** Move `market` off `from` to the freshest usable standby, or leave it waiting for a snapshot. */
  #failover(market: Market, from: string, out: JetStreamMessage[]): void {
    let best: string | undefined;
    let bestAt = -Infinity;
    for (const [source, lane] of market.lanes) {
      if (source === from || !this.#valid(lane) || this.#silent.has(source)) continue;
      const at = this.#lastAt.get(source) ?? 0;
      if (at > bestAt) {
        best = source;
        bestAt = at;
      }
    }
    market.current = undefined;
    if (best !== undefined) this.#switch(market, best, out, true);
  }

  #switch(market: Market, to: string, out: JetStreamMessage[], failover: boolean): void {
    const lane = market.lanes.get(to)!;
    market.current = to;
    this.#everFed.add(lane.snapshot!.marketTicker);
    if (failover) this.#failovers++;
    out.push(failover ? { ...lane.snapshot!, failover: true } : lane.snapshot!);
    for (const d of lane.deltas) out.push(failover ? { ...d, failover: true } : d);
    lane.deltas = [];
  }

  /** Gatherers silent for `silenceMs` lose their markets to replicas that are still publishing. */
  #sweep(out: JetStreamMessage[]): void {
    this.#lastSweep = this.#now;
    this.#flushAhead(out);
    let newlySilent = false;
    for (const [source, at] of this.#lastAt) {
      if (this.#now - at > this.#limits.silenceMs && !this.#silent.has(source)) {
        this.#silent.add(source);
        newlySilent = true;
      }
    }
    if (!newlySilent) return;
    for (const market of this.#markets.values()) {
      if (market.current !== undefined && this.#silent.has(market.current)) this.#failover(market, market.current, out);
    }
  }

  /** Counter snapshot. */
  stats(): MergerStats {
    let stalled = 0;
    for (const market of this.#markets.values()) if (market.current === undefined) stalled++;
    return {
      delivered: this.#delivered,
      failovers: this.#failovers,
      standbyFrames: this.#standby,
      duplicates: this.#duplicates,
      bufferOverflows: this.#overflows,
      stalledMarkets: stalled,
    };
  }
}
