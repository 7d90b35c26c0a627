/** Market-data channels this SDK subscribes to. */
export const Channel = {
  orderbookDelta: 'orderbook_delta',
  ticker: 'ticker',
  trade: 'trade',
  marketLifecycle: 'market_lifecycle_v2',
} as const;

/**
 * A Kalshi WebSocket channel name. The known market-data channels are listed in {@link Channel};
 * any other string is passed through (Kalshi answers error 8 for unknown names).
 */
export type ChannelName = (typeof Channel)[keyof typeof Channel] | (string & {});

/** Actions of `update_subscription`. The removal action is `delete_markets` (not `remove_markets`). */
export type UpdateAction = 'add_markets' | 'delete_markets' | 'get_snapshot';
