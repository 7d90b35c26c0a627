/** Market-data channels this SDK subscribes to. */
export const Channel = {
  /** Order book snapshots and deltas, per market (needs market tickers). */
  orderbookDelta: 'orderbook_delta',
  /** Ticker updates (no `seq`); global when no markets are given. */
  ticker: 'ticker',
  /** Public trades; global when no markets are given. */
  trade: 'trade',
  /** Market and event lifecycle (always global). */
  marketLifecycle: 'market_lifecycle_v2',
} as const;

/**
 * A Kalshi WebSocket channel name. The known market-data channels are listed in {@link Channel};
 * any other string is passed through (Kalshi answers error 8 for unknown names).
 */
export type ChannelName = (typeof Channel)[keyof typeof Channel] | (string & {});

/** Actions of `update_subscription`. The removal action is `delete_markets` (not `remove_markets`). */
export type UpdateAction = 'add_markets' | 'delete_markets' | 'get_snapshot';
