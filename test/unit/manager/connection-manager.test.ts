import { AuthError, ClosedError, ConnectError, PoolStartError, StateError } from 'kalshi-ws-pool';
import type { GapEvent, RawMessage, RepairEvent } from 'kalshi-ws-pool';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, obSid, settled, take, text, tickers } from './manager-helpers';
import type { Harness } from './manager-helpers';

let current: Harness | undefined;
afterEach(async () => {
  await current?.manager.stop();
  current = undefined;
});
function setup(...args: Parameters<typeof harness>): Harness {
  current = harness(...args);
  return current;
}

describe('start', () => {
  it('connects every slot, subscribes the global channels and places markets least-loaded', async () => {
    const { manager, fakes } = setup(tickers(9));
    await manager.start();
    await settled(manager);
    expect(fakes.clients).toHaveLength(9);
    for (const [id, channel] of [[1, 'ticker'], [2, 'ticker'], [3, 'trade'], [4, 'trade'], [5, 'market_lifecycle_v2'], [6, 'market_lifecycle_v2']] as const) {
      const [command] = fakes.latest(id)!.commands;
      expect(command).toMatchObject({ cmd: 'subscribe', channels: [channel], tickers: [] });
    }
    const placed = [7, 8, 9].map((id) => fakes.latest(id)!.commands.filter((c) => c.cmd === 'subscribe').flatMap((c) => c.tickers));
    expect(placed.map((p) => p.length)).toEqual([3, 3, 3]);
    expect(new Set(placed.flat()).size).toBe(9);
    const health = manager.health();
    expect(health).toMatchObject({ healthy: true, connected: 9, required: 9, placed: 9, unplaced: 0, state: 'running' });
    expect(health.connections[6]).toMatchObject({ connectionId: 7, role: 'orderbook', state: 'open', markets: 3, sids: [1] });
  });

  it('passes connectionId and generation to the factory', async () => {
    const { manager, fakes } = setup();
    await manager.start();
    expect(fakes.clients.map((c) => [c.connectionId, c.generation])).toEqual(Array.from({ length: 9 }, (_, i) => [i + 1, 1]));
  });

  it('rejects with PoolStartError listing causes when fewer than minHealthyConnections come up, and cleans up', async () => {
    const { manager, fakes } = setup([], { minHealthyConnections: 8 });
    fakes.failConnect(7, new ConnectError('refused'));
    fakes.failConnect(8, new AuthError('bad key', { status: 401 }));
    const error = await manager.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolStartError);
    expect((error as PoolStartError).healthy).toBe(7);
    expect((error as PoolStartError).failures.map((f) => f.connectionId)).toEqual([7, 8]);
    expect(manager.state).toBe('stopped');
    expect(fakes.clients.every((c) => c.state === 'closed' && c.frameSink === undefined)).toBe(true);
  });

  it('keeps retrying failed slots in the background after a successful start', async () => {
    const { manager, fakes } = setup(tickers(6), { minHealthyConnections: 5 });
    fakes.failConnect(9, new ConnectError('refused'), 2);
    await manager.start();
    expect(manager.health().connected).toBe(8);
    await vi.waitFor(() => expect(manager.health().connected).toBe(9));
    await settled(manager);
    expect(fakes.clientsOf(9)).toHaveLength(3);
    expect(fakes.latest(9)!.commands[0]).toMatchObject({ cmd: 'subscribe', channels: ['orderbook_delta'] });
    expect(manager.stats().reconnects).toEqual({ success: 1, failed: 2 });
  });

  it('start twice is a StateError; start after stop is a ClosedError', async () => {
    const { manager } = setup();
    await manager.start();
    await expect(manager.start()).rejects.toBeInstanceOf(StateError);
    await manager.stop();
    await expect(manager.start()).rejects.toBeInstanceOf(ClosedError);
    expect(() => manager.messages()).toThrow(ClosedError);
  });

  it('an aborted start signal stops everything and rejects with its reason', async () => {
    const { manager, fakes } = setup([], {}, { client: { snapshots: false }, configure: (c) => void c.holdConnect() });
    const controller = new AbortController();
    const starting = manager.start(controller.signal);
    await vi.waitFor(() => expect(fakes.clients).toHaveLength(9));
    controller.abort(new Error('nope'));
    await expect(starting).rejects.toThrow('nope');
    expect(manager.state).toBe('stopped');
    expect(fakes.clients.every((c) => c.state === 'closed')).toBe(true);
  });

  it('stop during start rejects start with ClosedError and exits cleanly', async () => {
    const { manager, fakes } = setup([], {}, { client: { snapshots: false }, configure: (c) => void c.holdConnect() });
    const starting = manager.start();
    await vi.waitFor(() => expect(fakes.clients).toHaveLength(9));
    await manager.stop();
    await expect(starting).rejects.toBeInstanceOf(ClosedError);
    expect(fakes.clients.every((c) => c.state === 'closed')).toBe(true);
  });
});

describe('batching and coalescing', () => {
  it('splits a slot into subscribe then add_markets batches of maxTickersPerCommand', async () => {
    const { manager, fakes } = setup(tickers(5), { layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 }, maxTickersPerCommand: 2 });
    await manager.start();
    await settled(manager);
    const commands = fakes.latest(1)!.commands.map((c) => [c.cmd, c.action ?? '', c.tickers.length]);
    expect(commands).toEqual([
      ['subscribe', '', 2],
      ['update_subscription', 'add_markets', 2],
      ['update_subscription', 'add_markets', 1],
    ]);
    expect(manager.health().connections[0]!.markets).toBe(5);
  });

  it('coalesces changes made while a command is in flight into one batch; add+remove cancel out', async () => {
    const { manager, fakes, registry } = setup(['A'], { layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 } });
    await manager.start();
    await settled(manager);
    const client = fakes.latest(1)!;
    client.holdReplies();
    registry.add('B');
    await vi.waitFor(() => expect(client.heldReplies).toBe(1));
    registry.add('C', 'D', 'E');
    registry.remove('D');
    registry.add('F');
    client.releaseReplies();
    await settled(manager);
    const updates = client.commands.filter((c) => c.cmd === 'update_subscription');
    expect(updates.map((c) => [c.action, [...c.tickers]])).toEqual([
      ['add_markets', ['B']],
      ['add_markets', ['C', 'E', 'F']],
    ]);
    expect(client.subscriptions()[0]!.markets.sort()).toEqual(['A', 'B', 'C', 'E', 'F']);
  });

  it('removals send delete_markets and free capacity for unplaced markets', async () => {
    const { manager, fakes, registry } = setup(tickers(3), { layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 }, marketsPerConnection: 3 });
    const unplaced = vi.fn();
    manager.on('unplaced', unplaced);
    await manager.start();
    registry.add('EXTRA');
    expect(unplaced).toHaveBeenCalledWith({ count: 1, total: 1, connectionId: undefined });
    expect(manager.health().unplaced).toBe(1);
    registry.remove('MKT-00000');
    await settled(manager);
    const client = fakes.latest(1)!;
    expect(client.subscriptions()[0]!.markets.sort()).toEqual(['EXTRA', 'MKT-00001', 'MKT-00002']);
    expect(manager.health()).toMatchObject({ placed: 3, unplaced: 0 });
  });
});

describe('frames and sequences', () => {
  async function orderbookOnly(markets = ['A', 'B']): Promise<Harness> {
    const h = setup(markets, { layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 } }, { client: { snapshots: true } });
    await h.manager.start();
    await settled(h.manager);
    return h;
  }

  it('delivers snapshots and deltas with connectionId, sid and seq, control frames counted but not delivered', async () => {
    const { manager, fakes, registry } = await orderbookOnly();
    const client = fakes.latest(1)!;
    const sid = obSid(client);
    registry.add('C'); // ok (seq 3) + snapshot (seq 4)
    await settled(manager);
    client.data(sid, 'orderbook_delta', { market_ticker: 'A' });
    const messages = await take(manager, 4);
    expect(messages.map((m) => [m.type, m.sid, m.seq, m.seqGap])).toEqual([
      ['orderbook_snapshot', sid, 1, false],
      ['orderbook_snapshot', sid, 2, false],
      ['orderbook_snapshot', sid, 4, false],
      ['orderbook_delta', sid, 5, false],
    ]);
    expect(messages[0]!.connectionId).toBe(1);
    expect(manager.stats()).toMatchObject({ gaps: 0, messagesQueued: 4, duplicateDrops: 0 });
  });

  it('flags a gap, emits gap and repairs the sid with get_snapshot over its markets', async () => {
    const { manager, fakes } = await orderbookOnly();
    const client = fakes.latest(1)!;
    const sid = obSid(client);
    const gaps: GapEvent[] = [];
    const repairs: RepairEvent[] = [];
    manager.on('gap', (e) => gaps.push(e));
    manager.on('repair', (e) => repairs.push(e));
    client.skipSeq(sid, 3);
    client.data(sid, 'orderbook_delta', { market_ticker: 'A' });
    await vi.waitFor(() => expect(repairs).toHaveLength(1));
    expect(gaps).toEqual([{ connectionId: 1, role: 'orderbook', sid, expected: 3, received: 6, gapSize: 3 }]);
    expect(repairs[0]).toMatchObject({ connectionId: 1, sid, outcome: 'ok', markets: 2 });
    const snapshot = client.commands.at(-1)!;
    expect(snapshot).toMatchObject({ cmd: 'update_subscription', action: 'get_snapshot', sids: [sid] });
    expect([...snapshot.tickers].sort()).toEqual(['A', 'B']);
    const messages = await take(manager, 5);
    const delta = messages.find((m) => m.type === 'orderbook_delta')!;
    expect([delta.seqGap, delta.gapSize]).toEqual([true, 3]);
    expect(messages.filter((m) => m.seqGap)).toHaveLength(1); // repair snapshots continue the seq
    expect(manager.stats()).toMatchObject({ gaps: 1, gapMessages: 3, repairs: { ok: 1, failed: 0, skipped: 0 } });
  });

  it('a gap found on a control frame flags the next delivered message of that sid', async () => {
    const { manager, fakes } = await orderbookOnly();
    const client = fakes.latest(1)!;
    const sid = obSid(client);
    client.inject({ type: 'ok', sid, seq: 5, id: 99, msg: { market_tickers: ['A', 'B'] } });
    client.inject({ type: 'orderbook_delta', sid, seq: 6, msg: { market_ticker: 'A' } });
    const messages = await take(manager, 3);
    expect(messages.map((m) => [m.type, m.seq, m.seqGap, m.gapSize])).toEqual([
      ['orderbook_snapshot', 1, false, 0],
      ['orderbook_snapshot', 2, false, 0],
      ['orderbook_delta', 6, true, 2],
    ]);
  });

  it('drops frames of unknown sids and duplicate seqs, counting them', async () => {
    const { manager, fakes } = await orderbookOnly(['A']);
    const client = fakes.latest(1)!;
    const sid = obSid(client);
    client.inject({ type: 'orderbook_delta', sid: 42, seq: 1, msg: {} });
    client.inject({ type: 'orderbook_delta', sid, seq: 1, msg: {} });
    client.inject({ type: 'orderbook_delta', sid, seq: 2, msg: {} });
    const messages = await take(manager, 2);
    expect(messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(manager.stats()).toMatchObject({ unknownSidDrops: 1, duplicateDrops: 1, gaps: 0 });
  });

  it('trade gaps are flagged but not repaired', async () => {
    const { manager, fakes } = setup([], { layout: { ticker: 0, trade: 1, lifecycle: 0, orderbook: 0 } });
    await manager.start();
    await settled(manager);
    const client = fakes.latest(1)!;
    const sid = client.sidOf('trade')!;
    client.data(sid, 'trade', { t: 1 });
    client.skipSeq(sid, 2);
    client.data(sid, 'trade', { t: 2 });
    const messages = await take(manager, 2);
    expect(messages.map((m) => [m.seq, m.gapSize])).toEqual([[1, 0], [4, 2]]);
    expect(client.commands.filter((c) => c.action === 'get_snapshot')).toHaveLength(0);
  });
});

describe('redundant pairs', () => {
  it('dedupe: a message carried by both ticker connections is delivered once', async () => {
    const { manager, fakes } = setup();
    await manager.start();
    await settled(manager);
    const [a, b] = [fakes.latest(1)!, fakes.latest(2)!];
    a.data(a.sidOf('ticker')!, 'ticker', { market_ticker: 'X', price: 1 }, { seq: false });
    b.data(b.sidOf('ticker')!, 'ticker', { market_ticker: 'X', price: 1 }, { seq: false });
    b.data(b.sidOf('ticker')!, 'ticker', { market_ticker: 'X', price: 2 }, { seq: false });
    a.data(a.sidOf('ticker')!, 'ticker', { market_ticker: 'X', price: 2 }, { seq: false });
    const messages = await take(manager, 4, 200);
    expect(messages.map((m) => [m.connectionId, text(m)])).toEqual([
      [1, expect.stringContaining('"price":1')],
      [2, expect.stringContaining('"price":2')],
    ]);
    expect(manager.stats().redundantDrops).toBe(2);
  });

  it("redundant: 'all' delivers both copies", async () => {
    const { manager, fakes } = setup([], { redundant: 'all' });
    await manager.start();
    await settled(manager);
    for (const id of [3, 4]) fakes.latest(id)!.data(fakes.latest(id)!.sidOf('trade')!, 'trade', { trade_id: 't1' });
    expect(await take(manager, 2)).toHaveLength(2);
  });

  it('lifecycle frames reach registry.onLifecycle once and the output', async () => {
    const { manager, fakes, registry } = setup();
    await manager.start();
    await settled(manager);
    for (const id of [5, 6]) {
      const client = fakes.latest(id)!;
      client.data(client.sidOf('market_lifecycle_v2')!, 'market_lifecycle_v2', { market_ticker: 'NEW-1', event_type: 'activated' });
    }
    expect(registry.has('NEW-1')).toBe(true);
    await settled(manager);
    expect(manager.health().placed).toBe(1);
    const messages = await take(manager, 2, 200);
    expect(messages.map((m) => m.type)).toEqual(['market_lifecycle_v2']);
  });
});

describe('rejections', () => {
  it('error 26 halves the batch, then marks the slot full and re-places the rest elsewhere', async () => {
    // slot 1 holds at most 3 markets; the manager is not told and must find out
    const { manager, fakes, registry } = setup([], { layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 2 } }, {
      client: ({ connectionId }) => ({ snapshots: false, marketLimit: connectionId === 1 ? 3 : Number.POSITIVE_INFINITY }),
    });
    const unplaced = vi.fn();
    manager.on('unplaced', unplaced);
    await manager.start();
    registry.add(...tickers(8));
    await settled(manager);
    // subscribe 4 -> 26, subscribe 2 ok, add 2 -> 26, add 1 ok, add 1 -> 26: full at 3
    expect(fakes.latest(1)!.commands.map((c) => c.tickers.length)).toEqual([4, 2, 2, 1, 1]);
    const health = manager.health();
    expect(health.connections.map((c) => c.markets)).toEqual([3, 5]);
    expect(fakes.latest(2)!.subscriptions()[0]!.markets).toHaveLength(5);
    expect(health).toMatchObject({ placed: 8, unplaced: 0 });
    expect(unplaced).not.toHaveBeenCalled();
    // the slot now counts as full: a new market goes to slot 2
    registry.add('LATE');
    await settled(manager);
    expect(fakes.latest(2)!.subscriptions()[0]!.markets).toContain('LATE');
  });

  it('error 26 with no room anywhere leaves the markets unplaced', async () => {
    const { manager, registry } = setup([], { layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 } }, {
      client: { snapshots: false, marketLimit: 2 },
    });
    const unplaced = vi.fn();
    manager.on('unplaced', unplaced);
    await manager.start();
    registry.add('A', 'B', 'C');
    await settled(manager);
    expect(manager.health()).toMatchObject({ placed: 2, unplaced: 1 });
    expect(unplaced).toHaveBeenCalledWith({ count: 1, total: 1, connectionId: 1 });
  });

  it('error 25 on a sid: unsubscribe, then subscribe the slot markets again', async () => {
    const { manager, fakes } = setup(['A', 'B', 'C'], { layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 } });
    const resubscribed = vi.fn();
    manager.on('resubscribed', resubscribed);
    await manager.start();
    await settled(manager);
    const client = fakes.latest(1)!;
    client.subscriptionError(1, 25);
    await settled(manager);
    expect(resubscribed).toHaveBeenCalledWith({ connectionId: 1, role: 'orderbook', sid: 1, kalshiCode: 25 });
    expect(client.commands.slice(1).map((c) => [c.cmd, [...c.sids], [...c.tickers].sort()])).toEqual([
      ['unsubscribe', [1], []],
      ['subscribe', [], ['A', 'B', 'C']],
    ]);
    expect(manager.health().connections[0]).toMatchObject({ sids: [2], markets: 3 });
    expect(manager.stats().resubscribes).toBe(1);
  });

  it('error 10 on a global sid subscribes the channel again', async () => {
    const { manager, fakes } = setup([], { layout: { ticker: 1, trade: 0, lifecycle: 0, orderbook: 0 } });
    await manager.start();
    await settled(manager);
    const client = fakes.latest(1)!;
    client.subscriptionError(1, 10);
    await settled(manager);
    expect(client.commands.map((c) => c.cmd)).toEqual(['subscribe', 'unsubscribe', 'subscribe']);
    expect(client.sidOf('ticker')).toBe(2);
  });

  it('regression (error 9 dropped markets like any rejection): error 9 redials the slot and keeps its markets', async () => {
    const { manager, fakes } = setup(['A', 'B'], { layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 } }, {
      client: { snapshots: false },
      configure: (c) => void (c.generation === 1 && c.failNext(9, { cmd: 'subscribe', times: 1 })),
    });
    const errors = vi.fn();
    manager.on('error', errors);
    await manager.start();
    await vi.waitFor(() => expect(fakes.clientsOf(1)).toHaveLength(2), { timeout: 10_000 });
    await settled(manager);
    expect(fakes.latest(1)!.subscriptions()[0]!.markets.sort()).toEqual(['A', 'B']);
    expect(errors.mock.calls[0]![0]).toMatchObject({ connectionId: 1, fatal: false });
    expect(manager.stats().markets).toMatchObject({ placed: 2, rejected: 0 });
  });

  it('a rejected add is retried, then dropped with an error event after bounded retries', async () => {
    const { manager, fakes } = setup(['A'], { layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 } }, {
      client: { snapshots: false },
      configure: (c) => void c.failNext(11, { cmd: 'subscribe', times: 10 }),
    });
    const errors = vi.fn();
    manager.on('error', errors);
    await manager.start();
    await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    expect(fakes.latest(1)!.commands).toHaveLength(4);
    expect(errors.mock.calls[0]![0]).toMatchObject({ connectionId: 1, fatal: false });
    expect(manager.stats().markets).toMatchObject({ placed: 0, rejected: 1 });
  });

  it('regression (one bad ticker dropped its whole batch)', async () => {
    // Room for 4 of the 5 markets: the bad one's room goes to the unplaced fifth once it is dropped.
    const { manager, fakes } = setup(['A', 'B', 'C', 'D', 'E'], { layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 }, marketsPerConnection: 4 }, {
      client: { snapshots: false },
      configure: (c) => void c.failNext(11, { ticker: 'B', times: 1_000 }),
    });
    const errors = vi.fn();
    manager.on('error', errors);
    await manager.start();
    await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(fakes.latest(1)!.subscriptions()[0]?.markets.sort()).toEqual(['A', 'C', 'D', 'E']), { timeout: 10_000 });
    expect(manager.stats().markets).toMatchObject({ placed: 4, unplaced: 0, rejected: 1 });
  });
});

describe('reconnect', () => {
  it('a dropped orderbook connection comes back with all its markets and fresh seq state', async () => {
    const { manager, fakes } = setup(tickers(6), {}, { client: { snapshots: true } });
    const events: string[] = [];
    manager.on('disconnected', (e) => events.push(`disconnected:${e.connectionId}`));
    manager.on('reconnecting', (e) => events.push(`reconnecting:${e.connectionId}`));
    manager.on('connected', (e) => events.push(`connected:${e.connectionId}`));
    manager.on('reconnected', (e) => events.push(`reconnected:${e.connectionId}`));
    await manager.start();
    await settled(manager);
    events.length = 0;
    const before = fakes.latest(7)!;
    const markets = before.subscriptions()[0]!.markets.sort();
    before.drop();
    await vi.waitFor(() => expect(fakes.clientsOf(7)).toHaveLength(2));
    await settled(manager);
    const after = fakes.latest(7)!;
    expect(after.generation).toBe(2);
    expect(after.subscriptions()[0]!.markets.sort()).toEqual(markets);
    expect(events).toEqual(['disconnected:7', 'reconnecting:7', 'connected:7', 'reconnected:7']);
    expect(before.frameSink).toBeUndefined();
    // sids and seqs restart: seq 1 on the new sid is not a duplicate or a gap
    after.data(obSid(after), 'orderbook_delta', {});
    await vi.waitFor(() => expect(manager.stats().messagesQueued).toBe(9));
    expect(manager.stats()).toMatchObject({ gaps: 0, duplicateDrops: 0, reconnects: { success: 1, failed: 0 } });
    expect(manager.health().connections[6]).toMatchObject({ state: 'open', generation: 2, reconnects: 1 });
  });

  it('a global slot restores its channel subscription after reconnecting', async () => {
    const { manager, fakes } = setup();
    await manager.start();
    await settled(manager);
    fakes.latest(3)!.drop();
    await vi.waitFor(() => expect(fakes.latest(3)!.sidOf('trade')).toBe(1));
    expect(fakes.latest(3)!.generation).toBe(2);
  });

  it('credential errors stop the slot loop with a fatal error; the rest keeps going', async () => {
    const { manager, fakes } = setup([], { minHealthyConnections: 5 });
    const errors = vi.fn();
    manager.on('error', errors);
    await manager.start();
    fakes.failConnect(8, new ConnectError('refused'));
    fakes.failConnect(8, new AuthError('401', { status: 401 }));
    fakes.latest(8)!.drop();
    await vi.waitFor(() => expect(errors).toHaveBeenCalled());
    expect(errors.mock.calls[0]![0]).toMatchObject({ connectionId: 8, fatal: true });
    expect(errors.mock.calls[0]![0].error).toBeInstanceOf(AuthError);
    expect(manager.health().connections[7]!.state).toBe('failed');
    expect(fakes.clientsOf(8)).toHaveLength(3);
    expect(manager.health()).toMatchObject({ connected: 8, healthy: true });
  });

  it('maxAttempts retires an orderbook slot and re-places its markets', async () => {
    const { manager, fakes } = setup(tickers(6), { reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 2, randomize: false } });
    const errors = vi.fn();
    manager.on('error', errors);
    await manager.start();
    await settled(manager);
    fakes.failConnect(9, new ConnectError('refused'), 5);
    fakes.latest(9)!.drop();
    await vi.waitFor(() => expect(errors).toHaveBeenCalled());
    await settled(manager);
    expect(errors.mock.calls[0]![0]).toMatchObject({ connectionId: 9, fatal: true });
    const health = manager.health();
    expect(health.connections.slice(6).map((c) => c.markets)).toEqual([3, 3, 0]);
    expect(health).toMatchObject({ placed: 6, unplaced: 0 });
  });

  it('emits degraded when connections fall below the minimum and again when recovered', async () => {
    const { manager, fakes } = setup([], { minHealthyConnections: 9 });
    const degraded = vi.fn();
    manager.on('degraded', degraded);
    await manager.start();
    fakes.latest(1)!.drop();
    await vi.waitFor(() => expect(degraded).toHaveBeenCalledTimes(2));
    expect(degraded.mock.calls.map((c) => c[0].healthy)).toEqual([false, true]);
  });
});

describe('output', () => {
  it('pauses every client when the queue is full and resumes below the low-water mark', async () => {
    const { manager, fakes } = setup([], { layout: { ticker: 1, trade: 0, lifecycle: 0, orderbook: 1 }, queue: { capacity: 4, lowWaterMark: 1 } });
    await manager.start();
    await settled(manager);
    const client = fakes.latest(1)!;
    for (let i = 0; i < 4; i++) client.data(client.sidOf('ticker')!, 'ticker', { i }, { seq: false });
    expect(fakes.clients.every((c) => c.paused)).toBe(true);
    expect(manager.health().paused).toBe(true);
    const messages = await take(manager, 3);
    expect(messages).toHaveLength(3);
    expect(fakes.clients.every((c) => !c.paused && c.resumeCalls === 1)).toBe(true);
    expect(manager.stats().queueDrops).toBe(0);
  });

  it('a second concurrent consumer is a StateError; breaking out of for-await keeps the pool running', async () => {
    const { manager, fakes } = setup([], { layout: { ticker: 1, trade: 0, lifecycle: 0, orderbook: 0 } });
    await manager.start();
    await settled(manager);
    const first = manager.messages();
    expect(() => manager.messages()).toThrow(StateError);
    await first.return?.();
    const client = fakes.latest(1)!;
    client.data(1, 'ticker', { a: 1 }, { seq: false });
    for await (const message of manager) {
      expect(message.type).toBe('ticker');
      break;
    }
    expect(manager.state).toBe('running');
  });

  it('stop() ends iteration after delivering what is queued', async () => {
    const { manager, fakes } = setup([], { layout: { ticker: 1, trade: 0, lifecycle: 0, orderbook: 0 } });
    await manager.start();
    await settled(manager);
    const iterator = manager.messages();
    for (let i = 0; i < 3; i++) fakes.latest(1)!.data(1, 'ticker', { i }, { seq: false });
    await manager.stop();
    const seen: RawMessage[] = [];
    for await (const m of { [Symbol.asyncIterator]: () => iterator }) seen.push(m);
    expect(seen).toHaveLength(3);
  });

  it('a router receives every message (awaiting its promise) and iterating is a StateError', async () => {
    const routed: string[] = [];
    const { manager, fakes } = setup([], {
      layout: { ticker: 1, trade: 0, lifecycle: 0, orderbook: 0 },
      router: { route: async (m) => void routed.push(text(m)) },
    });
    await manager.start();
    await settled(manager);
    expect(() => manager.messages()).toThrow(StateError);
    for (let i = 0; i < 3; i++) fakes.latest(1)!.data(1, 'ticker', { i }, { seq: false });
    await vi.waitFor(() => expect(routed).toHaveLength(3));
  });
});

describe('stop', () => {
  it('is idempotent and leaves no listeners, clients or timers', async () => {
    vi.useFakeTimers();
    try {
      const { manager, fakes } = setup(tickers(5));
      const starting = manager.start();
      await vi.advanceTimersByTimeAsync(10);
      await starting;
      fakes.latest(7)!.drop(); // a reconnect wait in flight
      const first = manager.stop();
      const second = manager.stop();
      expect(first).toBe(second);
      await vi.advanceTimersByTimeAsync(200);
      await first;
      expect(manager.state).toBe('stopped');
      expect(vi.getTimerCount()).toBe(0);
      for (const client of fakes.clients) {
        expect(client.state).toBe('closed');
        for (const event of ['close', 'subscribed', 'subscriptionError', 'error', 'protocolError'] as const) expect(client.listenerCount(event)).toBe(0);
        expect(client.frameSink).toBeUndefined();
      }
      await manager.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('Symbol.asyncDispose stops the manager', async () => {
    const { manager } = setup();
    await manager.start();
    await manager[Symbol.asyncDispose]();
    expect(manager.state).toBe('stopped');
  });
});
