import { describe, expect, it } from 'vitest';
import { InvalidCommandError } from 'kalshi-ws-pool';
import {
  buildSubscribe,
  buildUnsubscribe,
  buildUpdateSubscription,
  buildUpdateSubscriptionFromSids,
  encodeCommand,
} from 'kalshi-ws-pool/protocol';
import type { UpdateAction } from 'kalshi-ws-pool';

/** The message of the InvalidCommandError `build` throws (fails on any other outcome). */
function invalidMessage(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCommandError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidCommandError, nothing was thrown');
}

// Plain JavaScript callers get no type checks: wrong shapes must still fail with a clear InvalidCommandError.
const loose = <T>(value: unknown): T => value as T;

describe('command builders: exact messages', () => {
  it('names the builder in sid errors', () => {
    expect(invalidMessage(() => buildUnsubscribe(1, [0]))).toBe('unsubscribe: sid must be an integer >= 1, got 0');
    expect(invalidMessage(() => buildUpdateSubscription(1, -3, 'add_markets', ['A']))).toBe(
      'update_subscription: sid must be an integer >= 1, got -3',
    );
  });

  it('names the bad command id', () => {
    expect(invalidMessage(() => buildUnsubscribe(0, [1]))).toBe('command id must be an integer >= 1, got 0');
  });

  it('accepts id 1 and sid 1, the smallest valid values', () => {
    expect(buildUpdateSubscription(1, 1, 'get_snapshot', ['KXA-1'])).toEqual({
      id: 1,
      cmd: 'update_subscription',
      params: { sids: [1], action: 'get_snapshot', market_tickers: ['KXA-1'] },
    });
    expect(buildUnsubscribe(1, [1])).toEqual({ id: 1, cmd: 'unsubscribe', params: { sids: [1] } });
  });
});

describe('command builders: shapes a plain JavaScript caller can pass', () => {
  it('rejects a channel list that is not an array', () => {
    expect(invalidMessage(() => buildSubscribe(1, loose('ticker')))).toBe('subscribe: at least one channel is required');
  });

  it('rejects blank and non-string channel names', () => {
    expect(invalidMessage(() => buildSubscribe(1, ['  ']))).toBe('subscribe: channel names must be non-empty strings');
    expect(invalidMessage(() => buildSubscribe(1, ['ticker', loose(5)]))).toBe(
      'subscribe: channel names must be non-empty strings',
    );
  });

  it('rejects a ticker list that is not an array', () => {
    expect(invalidMessage(() => buildSubscribe(1, ['ticker'], loose('KXA-1')))).toBe('subscribe: marketTickers must be an array');
    expect(invalidMessage(() => buildUpdateSubscription(1, 1, 'add_markets', loose('KXA-1')))).toBe(
      'update_subscription add_markets: marketTickers must be an array',
    );
  });

  it('names the index and the builder of a bad ticker', () => {
    expect(invalidMessage(() => buildSubscribe(1, ['trade'], ['KXA-1', '\t']))).toBe(
      'subscribe: marketTickers[1] must be a non-empty string',
    );
    expect(invalidMessage(() => buildUpdateSubscription(1, 1, 'delete_markets', ['KXA-1', loose(null)]))).toBe(
      'update_subscription delete_markets: marketTickers[1] must be a non-empty string',
    );
  });

  it('rejects a sid list that is not an array', () => {
    expect(invalidMessage(() => buildUnsubscribe(1, loose(2)))).toBe('unsubscribe: at least one sid is required');
  });

  it('rejects a sid list for update_subscription that is not an array, even one of length 1', () => {
    expect(invalidMessage(() => buildUpdateSubscriptionFromSids(1, loose('7'), 'add_markets', ['A']))).toBe(
      'update_subscription: exactly one sid is required, got 0',
    );
    expect(invalidMessage(() => buildUpdateSubscriptionFromSids(1, loose(7), 'add_markets', ['A']))).toBe(
      'update_subscription: exactly one sid is required, got 0',
    );
  });

  it('names the unknown action and the valid ones', () => {
    expect(invalidMessage(() => buildUpdateSubscription(1, 1, loose<UpdateAction>('remove_markets'), ['A']))).toBe(
      'update_subscription: unknown action remove_markets (use add_markets, delete_markets or get_snapshot)',
    );
  });

  it('names the flag that is not a boolean', () => {
    for (const option of ['sendInitialSnapshot', 'skipTickerAck', 'useYesPrice'] as const) {
      expect(invalidMessage(() => buildSubscribe(1, ['ticker'], undefined, { [option]: loose(1) }))).toBe(
        `subscribe: ${option} must be a boolean`,
      );
    }
  });
});

describe('command builders: what is sent', () => {
  it('sends each flag under its own wire name, false included', () => {
    expect(encodeCommand(buildSubscribe(1, ['ticker'], undefined, { sendInitialSnapshot: false }))).toBe(
      '{"id":1,"cmd":"subscribe","params":{"channels":["ticker"],"send_initial_snapshot":false}}',
    );
    expect(encodeCommand(buildSubscribe(1, ['ticker'], undefined, { skipTickerAck: true }))).toBe(
      '{"id":1,"cmd":"subscribe","params":{"channels":["ticker"],"skip_ticker_ack":true}}',
    );
    expect(encodeCommand(buildSubscribe(1, ['orderbook_delta'], ['KXA-1'], { useYesPrice: false }))).toBe(
      '{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_tickers":["KXA-1"],"use_yes_price":false}}',
    );
  });

  it('leaves out flags given as undefined', () => {
    expect(encodeCommand(buildSubscribe(1, ['trade'], undefined, loose({ useYesPrice: undefined })))).toBe(
      '{"id":1,"cmd":"subscribe","params":{"channels":["trade"]}}',
    );
  });

  it('copies the caller sid and ticker lists', () => {
    const sids = [2];
    const tickers = ['KXA-1'];
    const unsubscribe = buildUnsubscribe(3, sids);
    const update = buildUpdateSubscription(4, 1, 'add_markets', tickers);
    sids.push(9);
    tickers.push('KXB-2');
    expect(encodeCommand(unsubscribe)).toBe('{"id":3,"cmd":"unsubscribe","params":{"sids":[2]}}');
    expect(encodeCommand(update)).toBe(
      '{"id":4,"cmd":"update_subscription","params":{"sids":[1],"action":"add_markets","market_tickers":["KXA-1"]}}',
    );
  });
});
