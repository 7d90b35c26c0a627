import { describe, expect, it } from 'vitest';
import { Channel, InvalidCommandError, WS_SIGN_PATH } from 'kalshi-ws-pool';
import { buildSubscribe, encodeCommand } from 'kalshi-ws-pool/protocol';

describe('Channel names on the wire', () => {
  it('sends the names Kalshi knows', () => {
    expect(encodeCommand(buildSubscribe(1, [Channel.orderbookDelta], ['KXA-1']))).toBe(
      '{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_tickers":["KXA-1"]}}',
    );
    expect(encodeCommand(buildSubscribe(2, [Channel.ticker, Channel.trade, Channel.marketLifecycle]))).toBe(
      '{"id":2,"cmd":"subscribe","params":{"channels":["ticker","trade","market_lifecycle_v2"]}}',
    );
  });

  it('applies the orderbook and lifecycle rules to the named channels', () => {
    expect(() => buildSubscribe(1, [Channel.orderbookDelta])).toThrow(InvalidCommandError);
    expect(() => buildSubscribe(1, [Channel.marketLifecycle], ['KXA-1'])).toThrow(InvalidCommandError);
  });
});

describe('WS_SIGN_PATH', () => {
  it('is the market-data WebSocket path Kalshi signs', () => {
    expect(WS_SIGN_PATH).toBe('/trade-api/ws/v2');
  });
});
