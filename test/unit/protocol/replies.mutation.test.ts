import { describe, expect, it } from 'vitest';
import { classifyReply, createEnvelopeScan, scanEnvelope, toRejectedError } from 'kalshi-ws-pool/protocol';
import type { ErrorReply, Reply } from 'kalshi-ws-pool/protocol';

const encoder = new TextEncoder();
const classify = (text: string): Reply | undefined => {
  const bytes = encoder.encode(text);
  return classifyReply(bytes, scanEnvelope(bytes));
};
const errorReply = (message: string): ErrorReply =>
  classify(`{"type":"error","id":4,"msg":{"code":11,"msg":${JSON.stringify(message)}}}`) as ErrorReply;

describe('classifyReply: malformed replies say why', () => {
  it('names the reply whose msg is not JSON', () => {
    expect(classify('{"id":2,"type":"ok","msg":{"a":}}')).toEqual({
      kind: 'malformed',
      id: 2,
      reason: 'ok reply whose msg is not valid JSON',
    });
    expect(classify('{"id":3,"type":"subscribed","msg":[1,]}')).toEqual({
      kind: 'malformed',
      id: 3,
      reason: 'subscribed reply whose msg is not valid JSON',
    });
  });

  it('names the missing sid or channel of a subscribed reply', () => {
    const noSid = { kind: 'malformed', id: 1, reason: 'subscribed reply without a numeric msg.sid' };
    expect(classify('{"id":1,"type":"subscribed","msg":{"channel":"trade"}}')).toEqual(noSid);
    expect(classify('{"id":1,"type":"subscribed","msg":null}')).toEqual(noSid);
    expect(classify('{"id":1,"type":"subscribed","msg":{"channel":"trade","sid":0}}')).toEqual(noSid);
    expect(classify('{"id":1,"type":"subscribed","msg":{"channel":"trade","sid":-2}}')).toEqual(noSid);
    expect(classify('{"id":1,"type":"subscribed","msg":{"channel":"trade","sid":1.5}}')).toEqual(noSid);
    expect(classify('{"id":1,"type":"subscribed","msg":{"sid":2,"channel":7}}')).toEqual({
      kind: 'malformed',
      id: 1,
      reason: 'subscribed reply without a msg.channel',
    });
  });

  it('names a bad subscription list entry', () => {
    const bad = { kind: 'malformed', id: 3, reason: 'subscription list entry without a numeric sid and a channel' };
    expect(classify('{"id":3,"type":"ok","msg":[{"sid":1,"channel":"ticker"},{"sid":1,"channel":5}]}')).toEqual(bad);
    expect(classify('{"id":3,"type":"ok","msg":[{"sid":1,"channel":"ticker"},null]}')).toEqual(bad);
    expect(classify('{"id":3,"type":"ok","msg":[{"sid":0,"channel":"ticker"}]}')).toEqual(bad);
    expect(classify('{"id":3,"type":"ok","msg":{"subscriptions":[7]}}')).toEqual(bad);
  });
});

describe('classifyReply: failed scans', () => {
  it('returns undefined for a failed scan, whatever fields it still holds', () => {
    const bytes = encoder.encode('{"id":1,"type":"ok"}');
    const scan = { ...scanEnvelope(bytes, createEnvelopeScan()), ok: false, failure: 'invalid' as const };
    expect(scan.type).toBe('ok');
    expect(classifyReply(bytes, scan)).toBeUndefined();
  });
});

describe('classifyReply: msg values that are not objects', () => {
  it('reads an error whose msg is null, a string or an array as code 0 without text', () => {
    for (const msg of ['null', '"Bad"', '[25]']) {
      expect(classify(`{"type":"error","id":9,"msg":${msg}}`), msg).toEqual({
        kind: 'error',
        id: 9,
        sid: undefined,
        seq: undefined,
        code: 0,
        message: '',
        classification: 'caller',
      });
    }
  });

  it('reads a non-integer or non-numeric code as 0', () => {
    expect(classify('{"type":"error","id":9,"msg":{"code":25.5,"msg":"x"}}')).toMatchObject({ code: 0, classification: 'caller' });
    expect(classify('{"type":"error","id":9,"msg":{"code":"25","msg":"x"}}')).toMatchObject({ code: 0, classification: 'caller' });
  });

  it('reads an update whose msg is null as an update without a market list', () => {
    expect(classify('{"id":6,"sid":4,"seq":9,"type":"ok","msg":null}')).toEqual({
      kind: 'updated',
      id: 6,
      sid: 4,
      seq: 9,
      marketTickers: undefined,
    });
  });

  it('reads a plain ok whose msg is null or has no list as ok', () => {
    expect(classify('{"id":5,"type":"ok","msg":null}')).toEqual({ kind: 'ok', id: 5 });
    expect(classify('{"id":5,"type":"ok","msg":{"subscriptions":"none"}}')).toEqual({ kind: 'ok', id: 5 });
  });
});

describe('classifyReply: the market list of an update', () => {
  it('keeps an all-string list, frozen', () => {
    const reply = classify('{"id":6,"sid":4,"seq":9,"type":"ok","msg":{"market_tickers":["KXA-1","KXB-2"]}}');
    expect(reply).toEqual({ kind: 'updated', id: 6, sid: 4, seq: 9, marketTickers: ['KXA-1', 'KXB-2'] });
    expect(Object.isFrozen((reply as { marketTickers: unknown }).marketTickers)).toBe(true);
  });

  it('drops a list with any entry that is not a string', () => {
    for (const list of ['["KXA-1",2]', '[1,"KXA-1"]', '[null]', '"KXA-1"']) {
      expect(classify(`{"id":6,"sid":4,"type":"ok","msg":{"market_tickers":${list}}}`), list).toMatchObject({
        kind: 'updated',
        marketTickers: undefined,
      });
    }
  });
});

describe('toRejectedError', () => {
  it('keeps a server text of exactly 200 characters whole and cuts a longer one at 200', () => {
    const exact = 'a'.repeat(199) + 'b';
    expect(toRejectedError(errorReply(exact)).message).toBe(
      `command (id 4) rejected by Kalshi with code 11 (${exact})`,
    );
    const long = exact + 'c';
    expect(toRejectedError(errorReply(long)).message).toBe(
      `command (id 4) rejected by Kalshi with code 11 (${exact}…)`,
    );
  });

  it('says "no message" when the server sent no text', () => {
    const reply = classify('{"type":"error","sid":3,"seq":8,"msg":{"code":10}}') as ErrorReply;
    const error = toRejectedError(reply);
    expect(error.message).toBe('command rejected by Kalshi with code 10 (no message) on sid 3');
    expect(error).toMatchObject({ kalshiCode: 10, classification: 'terminal-subscription', sid: 3, commandId: undefined });
  });
});
