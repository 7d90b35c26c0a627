import { ConnectError, RateLimitedError } from 'kalshi-ws-pool';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { ONE_BOOK, obSid, settled, startedHarness } from './manager-helpers';

closeAfterEach();
afterEach(() => vi.useRealTimers()); // registered last, so it runs before the managers stop

describe('repair scheduling', () => {
  it('one repair in flight per sid: gaps during it coalesce into one repeat', async () => {
    const { manager, client, events } = await startedHarness(['A', 'B', 'C'], { layout: ONE_BOOK, repair: { batchSize: 2 } });
    const repairs = events('repair');
    const sid = obSid(client);
    client.holdReplies();
    client.skipSeq(sid, 1);
    client.data(sid, 'orderbook_delta', {});
    await vi.waitFor(() => expect(client.heldReplies).toBe(1));
    for (let i = 0; i < 3; i++) {
      client.skipSeq(sid, 1);
      client.data(sid, 'orderbook_delta', {});
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(client.heldReplies).toBe(1);
    const snapshots = (): number => client.commands.filter((c) => c.action === 'get_snapshot').length;
    // release batch by batch: [2, 1] for the first repair, then [2, 1] once more
    for (let i = 0; i < 4; i++) {
      await vi.waitFor(() => expect(client.heldReplies).toBe(1));
      client.releaseReplies();
      client.holdReplies();
    }
    client.releaseReplies();
    await vi.waitFor(() => expect(repairs).toHaveLength(2));
    expect(snapshots()).toBe(4);
    expect(client.commands.filter((c) => c.action === 'get_snapshot').map((c) => c.tickers.length)).toEqual([2, 1, 2, 1]);
    expect(repairs.map((r) => [r.outcome, r.markets])).toEqual([['ok', 3], ['ok', 3]]);
    expect(manager.stats().gaps).toBe(4);
  });

  it('repair disabled: gaps are flagged and reported as skipped, no command is sent', async () => {
    const { client, events } = await startedHarness(['A'], { layout: ONE_BOOK, repair: { enabled: false } });
    const repairs = events('repair');
    client.skipSeq(obSid(client), 2);
    client.data(obSid(client), 'orderbook_delta', {});
    expect(repairs).toEqual([{ connectionId: 1, sid: 1, outcome: 'skipped', markets: 0, error: undefined }]);
    expect(client.commands.some((c) => c.action === 'get_snapshot')).toBe(false);
  });

  it('a failed get_snapshot reports failed; error 10 on it resubscribes the sid', async () => {
    const { manager, client, events } = await startedHarness(['A'], { layout: ONE_BOOK });
    const repairs = events('repair');
    client.failNext(10, { action: 'get_snapshot' });
    client.skipSeq(1, 1);
    client.data(1, 'orderbook_delta', {});
    await vi.waitFor(() => expect(repairs).toHaveLength(1));
    expect(repairs[0]).toMatchObject({ outcome: 'failed', error: { kalshiCode: 10 } });
    await settled(manager);
    expect(client.commands.map((c) => c.cmd).slice(-2)).toEqual(['unsubscribe', 'subscribe']);
    expect(manager.health().connections[0]!.sids).toEqual([2]);
  });

  it('error 27 on add_markets holds the command limiter and retries the batch', async () => {
    const { manager, registry, client } = await startedHarness(['A'], { layout: ONE_BOOK });
    client.failNext(27, { action: 'add_markets' });
    registry.add('B');
    await settled(manager);
    expect(client.commands.filter((c) => c.action === 'add_markets').map((c) => c.tickers)).toEqual([['B'], ['B']]);
    expect(client.subscriptions()[0]!.markets).toEqual(['A', 'B']);
  });

  it('error 27 on add_markets holds the pool-wide command limiter: another connection waits too', async () => {
    // Command backoff starts at min(500 ms, reconnect.initialDelayMs) = 300 ms.
    const { manager, fakes, registry } = await startedHarness(['A', 'C'], {
      layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 2 },
      reconnect: { initialDelayMs: 300, maxDelayMs: 1_000, randomize: false, stableAfterMs: 60_000 },
    });
    const rejections: number[] = [];
    manager.on('command', (e) => {
      if (e.kalshiCode !== undefined) rejections.push(performance.now());
    });
    const first = fakes.latest(1)!;
    const second = fakes.latest(2)!;
    const adds = (client: typeof first): string[][] =>
      client.commands.filter((c) => c.action === 'add_markets').map((c) => [...c.tickers]);
    first.failNext(27, { action: 'add_markets' });
    registry.add('B'); // both slots hold one market: B goes to the first (lowest id)
    await vi.waitFor(() => expect(adds(first)).toEqual([['B']]));
    const rejectedAt = rejections[0]!; // when the manager saw the rejection, not when polling noticed it
    registry.add('D'); // the first slot now holds two: D goes to the second connection
    await vi.waitFor(() => expect(adds(second)).toEqual([['D']]), { timeout: 3_000, interval: 5 });
    const otherSentAfter = performance.now() - rejectedAt;
    await vi.waitFor(() => expect(adds(first)).toEqual([['B'], ['B']]), { timeout: 3_000, interval: 5 });
    const retriedAfter = performance.now() - rejectedAt;
    // Both waited for the hold (300 ms, less 20 ms of slack for timer rounding), not only the rejected slot's retry.
    expect(otherSentAfter).toBeGreaterThanOrEqual(280);
    expect(retriedAfter).toBeGreaterThanOrEqual(280);
    await settled(manager);
    expect(first.subscriptions()[0]!.markets).toEqual(['A', 'B']);
    expect(second.subscriptions()[0]!.markets).toEqual(['C', 'D']);
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially on failures and resets only after stableAfterMs of uptime', async () => {
    vi.useFakeTimers();
    const reconnect = { initialDelayMs: 1_000, maxDelayMs: 3_000, factor: 2, randomize: false, stableAfterMs: 5_000 };
    const { manager, fakes, events } = await startedHarness([], { layout: ONE_BOOK, reconnect }, true);
    const waits = events('reconnecting');
    fakes.failConnect(1, new ConnectError('refused'), 3);
    fakes.latest(1)!.drop(); // up for < stableAfterMs: level 1
    await vi.advanceTimersByTimeAsync(20_000);
    expect(waits.map((w) => w.delayMs)).toEqual([1_000, 2_000, 3_000, 3_000]);
    expect(manager.health().connected).toBe(1);
    waits.length = 0;
    await vi.advanceTimersByTimeAsync(5_000); // now stable
    fakes.latest(1)!.drop();
    await vi.advanceTimersByTimeAsync(10);
    expect(waits.map((w) => w.delayMs)).toEqual([0]);
    expect(manager.health().connected).toBe(1);
  });

  it('429 holds admission and waits at least Retry-After', async () => {
    vi.useFakeTimers();
    const { manager, fakes, events } = await startedHarness([], { layout: ONE_BOOK, reconnect: { initialDelayMs: 10, maxDelayMs: 100, randomize: false } }, true);
    const waits = events('reconnecting');
    fakes.failConnect(1, new RateLimitedError('429', { retryAfterMs: 7_000 }));
    fakes.latest(1)!.drop();
    await vi.advanceTimersByTimeAsync(100);
    expect(waits.map((w) => w.delayMs)).toEqual([10, 7_000]);
    expect(waits[1]!.error).toBeInstanceOf(RateLimitedError);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(manager.health().connected).toBe(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(manager.health().connected).toBe(1);
  });
});
