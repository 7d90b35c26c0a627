import { describe, expect, it } from 'vitest';
import { InvalidCommandError, isKalshiWsPoolError } from 'kalshi-ws-pool';
import { buildListSubscriptions, buildSubscribe, buildUnsubscribe, buildUpdateSubscription, buildUpdateSubscriptionFromSids, encodeCommand } from 'kalshi-ws-pool/protocol';
import type { UpdateAction } from 'kalshi-ws-pool';

function expectInvalid(build: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    build();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidCommandError);
  expect(isKalshiWsPoolError(caught, 'KWP_INVALID_COMMAND')).toBe(true);
  expect((caught as Error).message).toMatch(message);
}

describe('command JSON', () => {
  it('subscribe', () => {
    expect(encodeCommand(buildSubscribe(1, ['orderbook_delta'], ['KXA-1', 'KXB-2']))).toBe(
      '{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_tickers":["KXA-1","KXB-2"]}}',
    );
    expect(encodeCommand(buildSubscribe(2, ['ticker', 'trade']))).toBe(
      '{"id":2,"cmd":"subscribe","params":{"channels":["ticker","trade"]}}',
    );
    expect(encodeCommand(buildSubscribe(3, ['market_lifecycle_v2']))).toBe(
      '{"id":3,"cmd":"subscribe","params":{"channels":["market_lifecycle_v2"]}}',
    );
    expect(
      encodeCommand(
        buildSubscribe(4, ['ticker'], ['KXA-1'], { sendInitialSnapshot: true, skipTickerAck: false, useYesPrice: true }),
      ),
    ).toBe(
      '{"id":4,"cmd":"subscribe","params":{"channels":["ticker"],"market_tickers":["KXA-1"],"send_initial_snapshot":true,"skip_ticker_ack":false,"use_yes_price":true}}',
    );
  });

  it('unsubscribe, update_subscription, list_subscriptions', () => {
    expect(encodeCommand(buildUnsubscribe(5, [2, 3]))).toBe('{"id":5,"cmd":"unsubscribe","params":{"sids":[2,3]}}');
    for (const action of ['add_markets', 'delete_markets', 'get_snapshot'] as const) {
      expect(encodeCommand(buildUpdateSubscription(6, 1, action, ['KXA-1']))).toBe(
        `{"id":6,"cmd":"update_subscription","params":{"sids":[1],"action":"${action}","market_tickers":["KXA-1"]}}`,
      );
    }
    expect(buildUpdateSubscriptionFromSids(7, [4], 'delete_markets', ['KXA-1'])).toEqual({
      id: 7,
      cmd: 'update_subscription',
      params: { sids: [4], action: 'delete_markets', market_tickers: ['KXA-1'] },
    });
    expect(encodeCommand(buildListSubscriptions(8))).toBe('{"id":8,"cmd":"list_subscriptions","params":{}}');
  });

  it('copies the caller arrays', () => {
    const tickers = ['KXA-1'];
    const channels = ['orderbook_delta'];
    const command = buildSubscribe(1, channels, tickers);
    tickers.push('KXB-2');
    channels.push('trade');
    expect(encodeCommand(command)).toBe(
      '{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_tickers":["KXA-1"]}}',
    );
  });
});

describe('command validation', () => {
  it('rejects bad ids on every builder', () => {
    for (const id of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expectInvalid(() => buildSubscribe(id, ['ticker']), /command id must be an integer >= 1/);
      expectInvalid(() => buildUnsubscribe(id, [1]), /command id/);
      expectInvalid(() => buildUpdateSubscription(id, 1, 'add_markets', ['A']), /command id/);
      expectInvalid(() => buildListSubscriptions(id), /command id/);
    }
  });

  it('rejects bad channel lists', () => {
    expectInvalid(() => buildSubscribe(1, []), /at least one channel/);
    expectInvalid(() => buildSubscribe(1, ['ticker', 'ticker']), /ticker is listed twice/);
    expectInvalid(() => buildSubscribe(1, ['']), /non-empty/);
    expectInvalid(() => buildSubscribe(1, ['orderbook_delta']), /orderbook_delta requires marketTickers/);
    expectInvalid(() => buildSubscribe(1, ['ticker', 'orderbook_delta']), /orderbook_delta requires/);
    expectInvalid(() => buildSubscribe(1, ['market_lifecycle_v2'], ['KXA-1']), /market_lifecycle_v2 does not take/);
  });

  it('rejects bad tickers', () => {
    expectInvalid(() => buildSubscribe(1, ['orderbook_delta'], []), /must not be empty/);
    expectInvalid(() => buildSubscribe(1, ['ticker'], []), /must not be empty/);
    expectInvalid(() => buildSubscribe(1, ['orderbook_delta'], ['KXA-1', '']), /marketTickers\[1\]/);
    expectInvalid(() => buildSubscribe(1, ['trade'], [' ']), /marketTickers\[0\]/);
    expectInvalid(() => buildSubscribe(1, ['trade'], [7 as unknown as string]), /marketTickers\[0\]/);
    expectInvalid(() => buildSubscribe(1, ['ticker'], ['A'], { useYesPrice: 'yes' as unknown as boolean }), /useYesPrice/);
    for (const action of ['add_markets', 'delete_markets', 'get_snapshot'] as const) {
      expectInvalid(() => buildUpdateSubscription(1, 1, action, []), new RegExp(`${action}: marketTickers must not be empty`));
      expectInvalid(() => buildUpdateSubscription(1, 1, action, ['']), /marketTickers\[0\]/);
    }
    expectInvalid(() => buildUpdateSubscription(1, 1, 'remove_markets' as UpdateAction, ['A']), /unknown action remove_markets/);
  });

  it('rejects bad sids', () => {
    expectInvalid(() => buildUnsubscribe(1, []), /at least one sid/);
    for (const sid of [0, -2, 1.5, Number.NaN]) {
      expectInvalid(() => buildUnsubscribe(1, [1, sid]), /sid must be an integer >= 1/);
      expectInvalid(() => buildUpdateSubscription(1, sid, 'add_markets', ['A']), /sid must be an integer >= 1/);
    }
    expectInvalid(() => buildUpdateSubscriptionFromSids(1, [], 'add_markets', ['A']), /exactly one sid is required, got 0/);
    expectInvalid(() => buildUpdateSubscriptionFromSids(1, [1, 2], 'add_markets', ['A']), /exactly one sid is required, got 2/);
    expectInvalid(() => buildUpdateSubscriptionFromSids(1, [0], 'add_markets', ['A']), /sid must be/);
  });
});
