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
  /** Discriminant: the frame type. */
  readonly type: 'orderbook_snapshot';
  /** Command id when the snapshot answers `get_snapshot`. */
  readonly id: number | undefined;
  /** Market ticker. */
  readonly marketTicker: string;
  /** Market id (may be empty). */
  readonly marketId: string;
  /** Yes bids, as sent (Kalshi sends ascending prices); empty when the side was omitted. */
  readonly yes: readonly Level[];
  /** No bids, as sent; empty when the side was omitted. */
  readonly no: readonly Level[];
}

/** `orderbook_delta`: a signed size change at one price of one side. */
export interface OrderbookDeltaFrame extends FrameEnvelope {
  /** Discriminant: the frame type. */
  readonly type: 'orderbook_delta';
  /** Market ticker. */
  readonly marketTicker: string;
  /** Market id (may be empty). */
  readonly marketId: string;
  /** Book side the change applies to. */
  readonly side: Side;
  /** Price in ticks. */
  readonly price: number;
  /** Signed change in hundredths. */
  readonly delta: number;
  /** Kalshi's `ts` text, when present. */
  readonly ts: string | undefined;
  /** Exchange time, ms since the epoch. */
  readonly tsMs: number | undefined;
}

/** `ticker`: top-of-book and volume summary of one market. */
export interface TickerFrame extends FrameEnvelope {
  /** Discriminant: the frame type. */
  readonly type: 'ticker';
  /** Market ticker. */
  readonly marketTicker: string;
  /** Market id (may be empty). */
  readonly marketId: string | undefined;
  /** Last price in ticks (undefined when Kalshi sent `""` or nothing). */
  readonly price: number | undefined;
  /** Best yes bid in ticks. */
  readonly yesBid: number | undefined;
  /** Best yes ask in ticks. */
  readonly yesAsk: number | undefined;
  /** Hundredths. */
  readonly volume: number | undefined;
  /** Open interest in hundredths. */
  readonly openInterest: number | undefined;
  /** Size at the best yes bid, hundredths. */
  readonly yesBidSize: number | undefined;
  /** Size at the best yes ask, hundredths. */
  readonly yesAskSize: number | undefined;
  /** Size of the last trade, hundredths. */
  readonly lastTradeSize: number | undefined;
  /** Exchange time (unix seconds, or Kalshi's text on deltas). */
  readonly ts: number | undefined;
  /** Exchange time, ms since the epoch. */
  readonly tsMs: number | undefined;
}

/** `trade`: one executed trade. */
export interface TradeFrame extends FrameEnvelope {
  /** Discriminant: the frame type. */
  readonly type: 'trade';
  /** Trade id. */
  readonly tradeId: string;
  /** Market ticker. */
  readonly marketTicker: string;
  /** Yes price in ticks. */
  readonly yesPrice: number;
  /** No price in ticks. */
  readonly noPrice: number;
  /** Hundredths; older frames send an integer `count`, converted here. */
  readonly count: number;
  /** Outcome side the taker bought, when sent. */
  readonly takerSide: Side | undefined;
  /** Exchange time (unix seconds, or Kalshi's text on deltas). */
  readonly ts: number | undefined;
  /** Exchange time, ms since the epoch. */
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
  /** Discriminant: the frame type. */
  readonly type: 'market_lifecycle_v2';
  /** Market ticker. */
  readonly marketTicker: string;
  /** Known event types; an unknown one is kept as its string. */
  readonly eventType: MarketLifecycleEventType | (string & {});
  /** `yes` / `no` on `determined`. */
  readonly result: string | undefined;
  /** Settlement value in ticks on `determined`. */
  readonly settlementValue: number | undefined;
  /** Open time, unix seconds. */
  readonly openTs: number | undefined;
  /** Close time, unix seconds. */
  readonly closeTs: number | undefined;
  /** Determination time, unix seconds. */
  readonly determinationTs: number | undefined;
  /** Settlement time, unix seconds. */
  readonly settledTs: number | undefined;
  /** `additional_metadata` as sent (free text), when present. */
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
}

/** `event_lifecycle`: an event (group of markets) created or changed. */
export interface EventLifecycleFrame extends FrameEnvelope {
  /** Discriminant: the frame type. */
  readonly type: 'event_lifecycle';
  /** Event ticker. */
  readonly eventTicker: string;
  /** The body as sent (fields vary). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** `event_fee_update`: a fee change (body kept as sent). */
export interface EventFeeUpdateFrame extends FrameEnvelope {
  /** Discriminant: the frame type. */
  readonly type: 'event_fee_update';
  /** The `msg` body as sent. */
  readonly body: Readonly<Record<string, unknown>>;
}

/** `subscribed`: a channel subscription opened. */
export interface SubscribedFrame {
  /** Discriminant: the frame type. */
  readonly type: 'subscribed';
  /** Command id the frame answers, when present. */
  readonly id: number | undefined;
  /** Channel name. */
  readonly channel: string;
  /** The new sid (inside `msg`). */
  readonly sid: number;
}

/** `ok`: an update reply (`marketTickers`) or a list reply (`subscriptions`). */
export interface OkFrame extends FrameEnvelope {
  /** Discriminant: the frame type. */
  readonly type: 'ok';
  /** Command id the frame answers, when present. */
  readonly id: number | undefined;
  /** Markets of the sid after `update_subscription`, when present. */
  readonly marketTickers: readonly string[] | undefined;
  /** `list_subscriptions` answer (array `msg` or `msg.subscriptions`), when present. */
  readonly subscriptions: readonly SubscriptionListEntry[] | undefined;
}

/** One entry of a `list_subscriptions` answer. */
export interface SubscriptionListEntry {
  /** Channel name. */
  readonly channel: string;
  /** Subscription id. */
  readonly sid: number;
}

/** `unsubscribed`. */
export interface UnsubscribedFrame extends FrameEnvelope {
  /** Discriminant: the frame type. */
  readonly type: 'unsubscribed';
  /** Command id the frame answers, when present. */
  readonly id: number | undefined;
}

/** `error`: a command or a sid rejected (Kalshi's numeric `code`). */
export interface ErrorFrame extends FrameEnvelope {
  /** Discriminant: the frame type. */
  readonly type: 'error';
  /** Command id the frame answers, when present. */
  readonly id: number | undefined;
  /** Kalshi's numeric error code. */
  readonly code: number;
  /** Kalshi's error text. */
  readonly message: string;
}

/** Any other `type` (e.g. private channels): envelope and body as sent. */
export interface UnknownFrame extends FrameEnvelope {
  /** Discriminant: the frame type. */
  readonly type: 'unknown';
  /** The frame's own `type` string. */
  readonly frameType: string;
  /** The `msg` body as sent. */
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
