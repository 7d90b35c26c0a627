import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommandRejectedError, isKalshiWsPoolError } from 'kalshi-ws-pool';
import { classifyReply, scanEnvelope, toRejectedError } from 'kalshi-ws-pool/protocol';
import type { ErrorReply, Reply } from 'kalshi-ws-pool/protocol';

const encoder = new TextEncoder();
const classify = (text: string): Reply | undefined => {
  const bytes = encoder.encode(text);
  return classifyReply(bytes, scanEnvelope(bytes));
};
const fixture = readFileSync(new URL('../../fixtures/kalshi-frames.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');

describe('classifyReply on the captured frames', () => {
  it('returns undefined for every data frame and a reply for every control frame', () => {
    const control = new Set(['subscribed', 'ok', 'error', 'unsubscribed']);
    let replies = 0;
    for (const line of fixture) {
      const type = (JSON.parse(line) as { type: string }).type;
      const reply = classify(line);
      if (control.has(type)) {
        replies++;
        expect(reply, line).toBeDefined();
        expect(reply!.kind).not.toBe('malformed');
      } else {
        expect(reply, line).toBeUndefined();
      }
    }
    expect(replies).toBe(7);
  });

  it('reads each control frame exactly', () => {
    const replies = fixture.map(classify).filter((r): r is Reply => r !== undefined);
    expect(replies).toEqual([
      { kind: 'subscribed', id: 1, sid: 1, channel: 'orderbook_delta' },
      { kind: 'subscribed', id: 1, sid: 2, channel: 'ticker' },
      { kind: 'subscribed', id: 1, sid: 3, channel: 'trade' },
      {
        kind: 'error',
        id: undefined,
        sid: 3,
        seq: 2,
        code: 13,
        message: 'Unsupported action',
        classification: 'caller',
      },
      { kind: 'subscribed', id: 1, sid: 1, channel: 'orderbook_delta' },
      {
        kind: 'updated',
        id: 2,
        sid: 1,
        seq: 108,
        marketTickers: ['KXGOLDH-26AUG2711-T4615.99', 'KXGOLDH-26AUG2711-T4617.99'],
      },
      {
        kind: 'error',
        id: 3,
        sid: undefined,
        seq: undefined,
        code: 8,
        message: 'Unknown channel name',
        classification: 'caller',
      },
    ]);
  });
});

describe('classifyReply shapes', () => {
  it('reads both list shapes', () => {
    const expected = { kind: 'list', id: 3, subscriptions: [{ sid: 1, channel: 'orderbook_delta' }, { sid: 2, channel: 'ticker' }] };
    const list = '[{"channel":"orderbook_delta","sid":1},{"sid":2,"channel":"ticker"}]';
    expect(classify(`{"id":3,"type":"ok","msg":${list}}`)).toEqual(expected);
    expect(classify(`{"msg":{"subscriptions":${list}},"type":"ok","id":3}`)).toEqual(expected);
    expect(classify('{"id":3,"type":"ok","msg":[]}')).toEqual({ kind: 'list', id: 3, subscriptions: [] });
    expect(classify('{"id":3,"type":"ok","msg":[{"sid":"1","channel":"x"}]}')).toMatchObject({ kind: 'malformed', id: 3 });
  });

  it('tells plain ok, update and unsubscribed apart', () => {
    expect(classify('{"id":5,"type":"ok"}')).toEqual({ kind: 'ok', id: 5 });
    expect(classify('{"id":5,"type":"ok","msg":{"note":"merged"}}')).toEqual({ kind: 'ok', id: 5 });
    expect(classify('{"id":6,"sid":4,"type":"ok","seq":9}')).toEqual({
      kind: 'updated', id: 6, sid: 4, seq: 9, marketTickers: undefined,
    });
    expect(classify('{"id":4,"sid":2,"seq":7,"type":"unsubscribed"}')).toEqual({ kind: 'unsubscribed', id: 4, sid: 2, seq: 7 });
    expect(classify('{"sid":2,"type":"unsubscribed"}')).toEqual({ kind: 'unsubscribed', id: undefined, sid: 2, seq: undefined });
    expect(classify('{"id":0,"type":"ok"}')).toEqual({ kind: 'ok', id: undefined });
  });

  it('classifies sid-scoped and terminal errors', () => {
    expect(classify('{"type":"error","sid":7,"seq":44,"msg":{"code":25,"msg":"Subscription buffer overflow"}}')).toEqual({
      kind: 'error', id: undefined, sid: 7, seq: 44, code: 25, message: 'Subscription buffer overflow', classification: 'terminal-subscription',
    });
    expect(classify('{"type":"error","sid":7,"msg":{"code":10,"msg":"Channel error"}}')).toMatchObject({
      code: 10, classification: 'terminal-subscription',
    });
    expect(classify('{"type":"error","id":9,"msg":{"code":26}}')).toMatchObject({ code: 26, message: '', classification: 'capacity' });
    expect(classify('{"type":"error","id":9,"msg":{"msg":"?"}}')).toMatchObject({ code: 0, message: '?', classification: 'caller' });
    expect(classify('{"type":"error","id":9}')).toMatchObject({ kind: 'error', code: 0, classification: 'caller' });
  });

  it('reports unreadable control frames as malformed', () => {
    expect(classify('{"id":1,"type":"subscribed","msg":{"channel":"trade"}}')).toMatchObject({ kind: 'malformed', id: 1 });
    expect(classify('{"id":1,"type":"subscribed","msg":{"channel":"trade","sid":"2"}}')).toMatchObject({ kind: 'malformed' });
    expect(classify('{"id":1,"type":"subscribed","msg":{"sid":2}}')).toMatchObject({ kind: 'malformed' });
    expect(classify('{"id":1,"type":"subscribed"}')).toMatchObject({ kind: 'malformed' });
    expect(classify('{"id":2,"type":"error","msg":{"code":8,}}')).toMatchObject({ kind: 'malformed', id: 2 });
  });

  it('ignores data frames, failed scans and unknown types', () => {
    expect(classify('{"type":"orderbook_snapshot","id":2,"sid":1,"seq":31,"msg":{}}')).toBeUndefined();
    expect(classify('{"type":"mystery","msg":{}}')).toBeUndefined();
    expect(classify('{"type":"ok"')).toBeUndefined();
    expect(classify('[]')).toBeUndefined();
  });
});

describe('toRejectedError', () => {
  const reply = classify('{"type":"error","id":12,"sid":3,"seq":5,"msg":{"code":25,"msg":"Subscription buffer overflow"}}') as ErrorReply;

  it('builds a CommandRejectedError with the reply and context', () => {
    const error = toRejectedError(reply, { command: 'update_subscription', connectionId: 17 });
    expect(error).toBeInstanceOf(CommandRejectedError);
    expect(isKalshiWsPoolError(error, 'KWP_COMMAND_REJECTED')).toBe(true);
    expect(error).toMatchObject({ kalshiCode: 25, classification: 'terminal-subscription', command: 'update_subscription', commandId: 12, sid: 3 });
    expect(error.message).toBe(
      'update_subscription (id 12) rejected by Kalshi with code 25 (Subscription buffer overflow) on sid 3 on connection 17',
    );
  });

  it('works without context and bounds the server text', () => {
    const long = classify(`{"type":"error","msg":{"code":1,"msg":"${'x'.repeat(1000)}"}}`) as ErrorReply;
    const error = toRejectedError(long, {});
    expect(error.commandId).toBeUndefined();
    expect(error.message.length).toBeLessThan(300);
  });
});
