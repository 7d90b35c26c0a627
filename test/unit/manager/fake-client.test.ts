import { AuthError, ClosedError, CommandRejectedError } from 'kalshi-ws-pool';
import type { EnvelopeScan } from 'kalshi-ws-pool/protocol';
import { FakeClient, createFakeClientFactory } from 'kalshi-ws-pool/testing';
import { describe, expect, it, vi } from 'vitest';

const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

function record(client: FakeClient): { type: string | undefined; sid: number | undefined; seq: number | undefined; text: string }[] {
  const frames: { type: string | undefined; sid: number | undefined; seq: number | undefined; text: string }[] = [];
  client.setFrameSink((data: Uint8Array, _at: number, scan: EnvelopeScan) => frames.push({ type: scan.type, sid: scan.sid, seq: scan.seq, text: decode(data) }));
  return frames;
}

describe('FakeClient', () => {
  it('answers subscribe with sids from 1, emits subscribed first, then seq-numbered snapshots', async () => {
    const client = new FakeClient();
    await client.connect();
    const order: string[] = [];
    client.on('subscribed', (e) => order.push(`subscribed:${e.sid}:${e.channel}:${e.id}`));
    client.setFrameSink((_d: Uint8Array, _a: number, s: EnvelopeScan) => order.push(`${s.type}:${s.seq}`));
    const results = await client.subscribe(['orderbook_delta', 'trade'], ['A', 'B']);
    expect(results).toEqual([{ sid: 1, channel: 'orderbook_delta' }, { sid: 2, channel: 'trade' }]);
    expect(order).toEqual(['subscribed:1:orderbook_delta:1', 'orderbook_snapshot:1', 'orderbook_snapshot:2', 'subscribed:2:trade:1']);
    expect(client.commands[0]).toMatchObject({ id: 1, cmd: 'subscribe', channels: ['orderbook_delta', 'trade'], tickers: ['A', 'B'] });
  });

  it('update_subscription: ok frames take a seq, add_markets sends snapshots, get_snapshot carries the id', async () => {
    const client = new FakeClient();
    await client.connect();
    const frames = record(client);
    await client.subscribe(['orderbook_delta'], ['A']);
    const added = await client.updateSubscription(1, 'add_markets', ['B']);
    expect(added).toMatchObject({ sid: 1, action: 'add_markets', seq: 2 });
    await client.updateSubscription(1, 'delete_markets', ['A']);
    const snap = await client.updateSubscription(1, 'get_snapshot', ['B']);
    expect(snap.snapshots).toBe(1);
    expect(frames.map((f) => [f.type, f.seq])).toEqual([
      ['orderbook_snapshot', 1],
      ['ok', 2],
      ['orderbook_snapshot', 3],
      ['ok', 4],
      ['orderbook_snapshot', 5],
    ]);
    expect(frames.at(-1)!.text).toContain('"id":4');
    expect(client.subscriptions()).toEqual([{ sid: 1, channel: 'orderbook_delta', markets: ['B'], seq: 5 }]);
  });

  it('data() numbers frames per sid; skipSeq makes a gap; seq:false sends none', async () => {
    const client = new FakeClient({ snapshots: false });
    await client.connect();
    const frames = record(client);
    await client.subscribe(['trade', 'ticker']);
    expect(client.data(1, 'trade', { x: 1 })).toBe(1);
    client.skipSeq(1, 2);
    expect(client.data(1, 'trade', { x: 2 })).toBe(4);
    client.data(2, 'ticker', { x: 3 }, { seq: false });
    expect(frames.map((f) => [f.sid, f.seq])).toEqual([[1, 1], [1, 4], [2, undefined]]);
  });

  it('failNext rejects matching commands with a classified CommandRejectedError', async () => {
    const client = new FakeClient();
    await client.connect();
    client.failNext(26, { action: 'add_markets' }).failNext(27, { cmd: 'subscribe', times: 2 });
    await expect(client.subscribe(['trade'])).rejects.toMatchObject({ kalshiCode: 27, classification: 'rate-limit' });
    await expect(client.subscribe(['trade'])).rejects.toBeInstanceOf(CommandRejectedError);
    await client.subscribe(['orderbook_delta'], ['A']);
    await expect(client.updateSubscription(1, 'add_markets', ['B'])).rejects.toMatchObject({ kalshiCode: 26, classification: 'capacity', sid: 1 });
    await expect(client.updateSubscription(1, 'add_markets', ['B'])).resolves.toMatchObject({ action: 'add_markets' });
  });

  it('marketLimit answers error 26 like a full subscription', async () => {
    const client = new FakeClient({ marketLimit: 2 });
    await client.connect();
    await expect(client.subscribe(['orderbook_delta'], ['A', 'B', 'C'])).rejects.toMatchObject({ kalshiCode: 26 });
    await client.subscribe(['orderbook_delta'], ['A', 'B']);
    await expect(client.updateSubscription(1, 'add_markets', ['C'])).rejects.toMatchObject({ kalshiCode: 26 });
  });

  it('subscriptionError sends an error frame on the sid and the event; the sid is gone', async () => {
    const client = new FakeClient({ snapshots: false });
    await client.connect();
    await client.subscribe(['orderbook_delta'], ['A']);
    const frames = record(client);
    const onError = vi.fn();
    client.on('subscriptionError', onError);
    client.subscriptionError(1, 25);
    expect(frames).toMatchObject([{ type: 'error', sid: 1, seq: 1 }]);
    expect(onError.mock.calls[0]![0]).toMatchObject({ sid: 1, error: { kalshiCode: 25, classification: 'terminal-subscription' } });
    expect(client.subscriptions()).toEqual([]);
  });

  it('holdReplies keeps commands pending until released; close rejects them with ClosedError', async () => {
    const client = new FakeClient();
    await client.connect();
    client.holdReplies();
    const first = client.subscribe(['trade']);
    expect(client.heldReplies).toBe(1);
    client.releaseReplies();
    await expect(first).resolves.toHaveLength(1);
    client.holdReplies();
    const second = client.subscribe(['ticker']);
    client.drop({ code: 1006 });
    await expect(second).rejects.toBeInstanceOf(ClosedError);
    await expect(client.subscribe(['ticker'])).rejects.toBeInstanceOf(ClosedError);
  });

  it('commands honour their abort signal', async () => {
    const client = new FakeClient();
    await client.connect();
    client.holdReplies();
    const controller = new AbortController();
    const pending = client.subscribe(['trade'], [], { signal: controller.signal });
    controller.abort(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });

  it('close, drop and terminate emit close once with the right kind', async () => {
    const closes: string[] = [];
    for (const end of ['close', 'drop', 'terminate'] as const) {
      const client = new FakeClient();
      client.on('close', (info) => closes.push(`${info.kind}:${String(info.initiatedLocally)}`));
      await client.connect();
      if (end === 'close') await client.close();
      else if (end === 'drop') client.drop();
      else client.terminate();
      client.terminate();
      expect(client.state).toBe('closed');
    }
    expect(closes).toEqual(['clean:true', 'error:false', 'terminated:true']);
  });

  it('connect failures and held connects', async () => {
    const failing = new FakeClient().failConnect(new AuthError('401', { status: 401 }));
    await expect(failing.connect()).rejects.toBeInstanceOf(AuthError);
    const held = new FakeClient().holdConnect();
    const connecting = held.connect();
    await Promise.resolve();
    expect(held.state).toBe('connecting');
    held.releaseConnect();
    await connecting;
    expect(held.connected).toBe(true);
    const aborted = new FakeClient().holdConnect();
    const controller = new AbortController();
    const pending = aborted.connect(controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });

  it('pause/resume are counted; inject rejects non-JSON', () => {
    const client = new FakeClient();
    client.pause();
    client.pause();
    client.resume();
    expect([client.pauseCalls, client.resumeCalls, client.paused]).toEqual([2, 1, false]);
    expect(() => client.inject('nope')).toThrow();
  });
});

describe('createFakeClientFactory', () => {
  it('records clients per slot, scripts connect failures and per-slot options', async () => {
    const fakes = createFakeClientFactory({ client: ({ connectionId }) => ({ marketLimit: connectionId }), configure: (c) => void c.pause() });
    fakes.failConnect(2, new Error('refused'), 1);
    const a = fakes.factory({ connectionId: 2, generation: 1 }) as FakeClient;
    const b = fakes.factory({ connectionId: 2, generation: 2 }) as FakeClient;
    await expect(a.connect()).rejects.toThrow('refused');
    await b.connect();
    expect(fakes.clientsOf(2)).toEqual([a, b]);
    expect(fakes.latest(2)).toBe(b);
    expect(fakes.latest(3)).toBeUndefined();
    expect(b.paused).toBe(true);
    await expect(b.subscribe(['orderbook_delta'], ['A', 'B', 'C'])).rejects.toMatchObject({ kalshiCode: 26 });
  });
});
