/**
 * Typed Kalshi frames: a discriminated union on `type`, with prices in ticks (1/10,000 dollar) and sizes
 * in hundredths of a contract (see `docs/books.md`). Optional fields Kalshi may leave out are `undefined`.
 * @packageDocumentation
 */

/** One price level: `[priceTicks, sizeHundredths]`. */
export type Level = readonly [price: number, size: number];

/** Book side: bids for `yes` or bids for `no`. */
export type Side = 'yes' | 'no';

/** Envelope fields every data frame shares. */
export interface FrameEnvelope {
  /** Subscription id. */
  readonly sid: number | undefined;
  /** Sequence number on the sid (absent on `ticker`). */
  readonly seq: number | undefined;
}

/** `orderbook_snapshot`: the whole book of one market (bids only, both sides). */
export interface OrderbookSnapshotFrame extends FrameEnvelope {
  readonly type: 'orderbook_snapshot';
  /** Command id when the snapshot answers `get_snapshot`. */
  readonly id: number | undefined;
  readonly marketTicker: string;
  readonly marketId: string;
  /** Yes bids, as sent (Kalshi sends ascending prices); empty when the side was omitted. */
  readonly yes: readonly Level[];
  /** No bids, as sent; empty when the side was omitted. */
  readonly no: readonly Level[];
}

/** `orderbook_delta`: a signed size change at one price of one side. */
export interface OrderbookDeltaFrame extends FrameEnvelope {
  readonly type: 'orderbook_delta';
  readonly marketTicker: string;
  readonly marketId: string;
  readonly side: Side;
  /** Price in ticks. */
  readonly price: number;
  /** Signed change in hundredths. */
  readonly delta: number;
  /** Kalshi's `ts` text, when present. */
  readonly ts: string | undefined;
  readonly tsMs: number | undefined;
}

/** `ticker`: top-of-book and volume summary of one market. */
export interface TickerFrame extends FrameEnvelope {
  readonly type: 'ticker';
  readonly marketTicker: string;
  readonly marketId: string | undefined;
  /** Last price in ticks (undefined when Kalshi sent `""` or nothing). */
  readonly price: number | undefined;
  readonly yesBid: number | undefined;
  readonly yesAsk: number | undefined;
  /** Hundredths. */
  readonly volume: number | undefined;
  readonly openInterest: number | undefined;
  readonly yesBidSize: number | undefined;
  readonly yesAskSize: number | undefined;
  readonly lastTradeSize: number | undefined;
  readonly ts: number | undefined;
  readonly tsMs: number | undefined;
}

/** `trade`: one executed trade. */
export interface TradeFrame extends FrameEnvelope {
  readonly type: 'trade';
  readonly tradeId: string;
  readonly marketTicker: string;
  readonly yesPrice: number;
  readonly noPrice: number;
  /** Hundredths; older frames send an integer `count`, converted here. */
  readonly count: number;
  readonly takerSide: Side | undefined;
  readonly ts: number | undefined;
  readonly tsMs: number | undefined;
}

/** Lifecycle event types of `market_lifecycle_v2`. */
export type MarketLifecycleEventType =
  | 'created'
  | 'activated'
  | 'deactivated'
  | 'close_date_updated'
  | 'determined'
  | 'settled'
  | 'price_level_structure_updated'
  | 'metadata_updated';

/** `market_lifecycle_v2`: one market's lifecycle change (creation, metadata and fee-structure updates, end). */
export interface MarketLifecycleFrame extends FrameEnvelope {
  readonly type: 'market_lifecycle_v2';
  readonly marketTicker: string;
  /** Known event types; an unknown one is kept as its string. */
  readonly eventType: MarketLifecycleEventType | (string & {});
  /** `yes` / `no` on `determined`. */
  readonly result: string | undefined;
  /** Settlement value in ticks on `determined`. */
  readonly settlementValue: number | undefined;
  readonly openTs: number | undefined;
  readonly closeTs: number | undefined;
  readonly determinationTs: number | undefined;
  readonly settledTs: number | undefined;
  /** `additional_metadata` as sent (free text), when present. */
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
}

/** `event_lifecycle`: an event (group of markets) created or changed. */
export interface EventLifecycleFrame extends FrameEnvelope {
  readonly type: 'event_lifecycle';
  readonly eventTicker: string;
  /** The body as sent (fields vary). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** `event_fee_update`: a fee change (body kept as sent). */
export interface EventFeeUpdateFrame extends FrameEnvelope {
  readonly type: 'event_fee_update';
  readonly body: Readonly<Record<string, unknown>>;
}

/** `subscribed`: a channel subscription opened. */
export interface SubscribedFrame {
  readonly type: 'subscribed';
  readonly id: number | undefined;
  readonly channel: string;
  /** The new sid (inside `msg`). */
  readonly sid: number;
}

/** `ok`: an update reply (`marketTickers`) or a list reply (`subscriptions`). */
export interface OkFrame extends FrameEnvelope {
  readonly type: 'ok';
  readonly id: number | undefined;
  /** Markets of the sid after `update_subscription`, when present. */
  readonly marketTickers: readonly string[] | undefined;
  /** `list_subscriptions` answer (array `msg` or `msg.subscriptions`), when present. */
  readonly subscriptions: readonly { readonly channel: string; readonly sid: number }[] | undefined;
}

/** `unsubscribed`. */
export interface UnsubscribedFrame extends FrameEnvelope {
  readonly type: 'unsubscribed';
  readonly id: number | undefined;
}

/** `error`: a command or a sid rejected (Kalshi's numeric `code`). */
export interface ErrorFrame extends FrameEnvelope {
  readonly type: 'error';
  readonly id: number | undefined;
  readonly code: number;
  readonly message: string;
}

/** Any other `type` (e.g. private channels): envelope and body as sent. */
export interface UnknownFrame extends FrameEnvelope {
  readonly type: 'unknown';
  /** The frame's own `type` string. */
  readonly frameType: string;
  readonly body: unknown;
}

/** Every frame {@link parseFrame} returns, discriminated on `type`. */
export type KalshiFrame =
  | OrderbookSnapshotFrame
  | OrderbookDeltaFrame
  | TickerFrame
  | TradeFrame
  | MarketLifecycleFrame
  | EventLifecycleFrame
  | EventFeeUpdateFrame
  | SubscribedFrame
  | OkFrame
  | UnsubscribedFrame
  | ErrorFrame
  | UnknownFrame;
