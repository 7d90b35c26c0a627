import { BookStore } from './book-store';
import { Rng, uuidFrom } from './fixed-point';
import { eventTickerOf, generateTicker } from './tickers';
import type { SimSubscription } from './subscription';

/** Where a market is in its life, as the REST endpoint reports it. */
export type SimMarketStatus = 'open' | 'closed' | 'determined' | 'settled';

/**
 * One market of the simulator. Kept small (a million of them may exist): the ticker is a flat
 * string, the market id is derived from the slot on first use, the book lives in the {@link BookStore}.
 */
export class SimMarket {
  /** The ticker as JSON string content (the same string when it needs no escaping). */
  readonly tickerJson: string;
  /** True while the market trades (listed and not ended); traffic skips closed markets. */
  open = false;
  /** False for markets that were only ever named by a client (never in the universe). */
  listed = false;
  status: SimMarketStatus = 'closed';
  /** Order of listing, for REST cursors; changes when a market is listed again. */
  listIndex = 0;
  /** Unix seconds when the market was listed. */
  openTs = 0;
  /** Orderbook subscriptions holding this market (usually one; undefined until the first). */
  holders: SimSubscription[] | undefined = undefined;
  private id: string | undefined = undefined;

  constructor(
    /** The market ticker. */
    readonly ticker: string,
    /** Book slot in the {@link BookStore}; unique per market object. */
    readonly slot: number,
  ) {
    const json = JSON.stringify(ticker);
    this.tickerJson = json.length === ticker.length + 2 ? ticker : json.slice(1, -1);
  }

  /** `market_id`: a UUID derived from the slot (computed once). */
  get marketId(): string {
    this.id ??= uuidFrom(this.slot, 0x6b616c);
    return this.id;
  }

  /** The event ticker (`SERIES-EVENT`, the first two dash-separated parts). */
  get eventTicker(): string {
    return eventTickerOf(this.ticker);
  }

  /** Start of every `msg` about this market: `{"market_ticker":"…","market_id":"…"` (no closing brace). */
  get head(): string {
    return `{"market_ticker":"${this.tickerJson}","market_id":"${this.marketId}"`;
  }
}

/** One page of open markets, as REST returns it. */
export interface MarketPage {
  readonly markets: readonly SimMarket[];
  /** Opaque cursor of the next page; `''` on the last page. */
  readonly cursor: string;
}

/**
 * The market universe: every market the simulator knows, its book, and the ordered list of open
 * markets (for REST paging and for traffic on global subscriptions).
 */
export class MarketUniverse {
  /** Books of every market, packed. */
  readonly books = new BookStore();
  /** The simulator's seeded random source. */
  readonly rng: Rng;
  private readonly byTicker = new Map<string, SimMarket>();
  // Open markets in listing order; closed entries stay until compaction so cursors remain valid.
  private list: SimMarket[] = [];
  private closedInList = 0;
  private nextSlot = 0;
  private nextGenerated = 0;
  private nextListIndex = 1;
  private rr = 0;
  private tickersCache: readonly string[] | undefined;

  constructor(markets: number | readonly string[], seed: number) {
    this.rng = new Rng(seed);
    if (typeof markets === 'number') {
      for (let i = 0; i < markets; i++) this.add();
    } else {
      for (const ticker of markets) if (!this.byTicker.get(ticker)?.open) this.add(ticker);
    }
  }

  /** Number of open markets. */
  get size(): number {
    return this.list.length - this.closedInList;
  }

  /** Tickers of the open markets, in listing order (cached until the universe changes). */
  tickers(): readonly string[] {
    this.tickersCache ??= Object.freeze(this.openMarkets().map((m) => m.ticker));
    return this.tickersCache;
  }

  /** The open markets in listing order (a fresh array). */
  openMarkets(): SimMarket[] {
    this.compact();
    return this.list.slice();
  }

  /** The market with that ticker, open or not, or undefined when never seen. */
  get(ticker: string): SimMarket | undefined {
    return this.byTicker.get(ticker);
  }

  /** The market with that ticker; an unknown ticker gets an unlisted, closed market with an empty book. */
  getOrDetached(ticker: string): SimMarket {
    const known = this.byTicker.get(ticker);
    if (known !== undefined) return known;
    const market = this.create(ticker, true);
    market.open = false;
    market.listed = false;
    market.status = 'closed';
    return market;
  }

  /**
   * List a market: a generated ticker when none is given, or an existing closed/unknown one reopened.
   * @returns the market, or undefined when that ticker is already open.
   */
  add(ticker?: string): SimMarket | undefined {
    let market: SimMarket;
    if (ticker === undefined) {
      let generated = generateTicker(this.nextGenerated++).ticker;
      while (this.byTicker.has(generated)) generated = generateTicker(this.nextGenerated++).ticker;
      market = this.create(generated, false);
    } else {
      const known = this.byTicker.get(ticker);
      if (known?.open === true) return undefined;
      market = known ?? this.create(ticker, false);
    }
    market.open = true;
    market.listed = true;
    market.status = 'open';
    market.listIndex = this.nextListIndex++;
    market.openTs = Math.floor(Date.now() / 1000);
    this.list.push(market);
    this.tickersCache = undefined;
    return market;
  }

  /**
   * End a market (it stays known, with its holders, but gets no more traffic and leaves REST).
   * @returns the market, or undefined when it was not open.
   */
  remove(ticker: string, status: Exclude<SimMarketStatus, 'open'>): SimMarket | undefined {
    const market = this.byTicker.get(ticker);
    if (market === undefined || !market.open) return undefined;
    market.open = false;
    market.status = status;
    this.closedInList++;
    this.tickersCache = undefined;
    if (this.closedInList > 64 && this.closedInList * 2 > this.list.length) this.compact();
    return market;
  }

  /** The next open market in round-robin order (for global ticker/trade traffic), or undefined. */
  nextOpen(): SimMarket | undefined {
    const len = this.list.length;
    for (let tries = 0; tries < len; tries++) {
      if (this.rr >= len) this.rr = 0;
      const market = this.list[this.rr++]!;
      if (market.open) return market;
    }
    return undefined;
  }

  /** A uniformly random open market, or undefined when there is none. */
  randomOpen(): SimMarket | undefined {
    if (this.size === 0) return undefined;
    this.compact();
    return this.list[this.rng.int(this.list.length)];
  }

  /**
   * One page of open markets after `cursor` (opaque, from a previous page), at most `limit` long.
   * Markets listed or ended between pages are reflected on later pages.
   */
  page(cursor: string, limit: number): MarketPage {
    const after = cursor === '' ? 0 : Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10) || 0;
    // Binary search: the list is sorted by listIndex.
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]!.listIndex <= after) lo = mid + 1;
      else hi = mid;
    }
    const markets: SimMarket[] = [];
    let i = lo;
    for (; i < this.list.length && markets.length < limit; i++) {
      const market = this.list[i]!;
      if (market.open) markets.push(market);
    }
    while (i < this.list.length && !this.list[i]!.open) i++;
    const last = markets[markets.length - 1];
    const more = i < this.list.length && last !== undefined;
    return { markets, cursor: more ? Buffer.from(String(last.listIndex), 'utf8').toString('base64url') : '' };
  }

  private create(ticker: string, empty: boolean): SimMarket {
    const market = new SimMarket(ticker, this.nextSlot++);
    this.books.init(market.slot, this.rng, empty);
    this.byTicker.set(ticker, market);
    return market;
  }

  private compact(): void {
    if (this.closedInList === 0) return;
    this.list = this.list.filter((m) => m.open);
    this.closedInList = 0;
    this.rr = 0;
  }
}
