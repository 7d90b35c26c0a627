/**
 * Kalshi errors 18 and 7 on the orderbook batch path (a rejected `add_markets`) and on the sid-scoped path
 * (an `error` frame naming a sid, no command id). Found unreached by the mutation run of #18.
 */
import { describe, expect, it, vi } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { ONE_BOOK, obSid, settled, startedHarness } from './manager-helpers';

closeAfterEach();
const ONE_TICKER = { ticker: 1, trade: 0, lifecycle: 0, orderbook: 0 } as const;
// Command backoff starts at min(500 ms, reconnect.initialDelayMs).
const SLOW_BACKOFF = { initialDelayMs: 300, maxDelayMs: 1_000, randomize: false, stableAfterMs: 60_000 } as const;

describe('orderbook batch errors', () => {
  it('error 18 (server-side timeout) on add_markets holds the command limiter, then retries the batch', async () => {
    const { manager, client, registry, events } = await startedHarness(['A'], { layout: ONE_BOOK, reconnect: SLOW_BACKOFF });
    const errors = events('error');
    const rejections: number[] = [];
    manager.on('command', (e) => {
      if (e.kalshiCode !== undefined) rejections.push(performance.now());
    });
    const adds = (): string[][] => client.commands.filter((c) => c.action === 'add_markets').map((c) => [...c.tickers]);
    client.failNext(18, { action: 'add_markets' });
    registry.add('B');
    await vi.waitFor(() => expect(adds()).toEqual([['B']]));
    const rejectedAt = rejections[0]!; // when the manager saw the rejection, not when polling noticed it
    await vi.waitFor(() => expect(adds()).toEqual([['B'], ['B']]), { timeout: 3_000, interval: 5 });
    expect(performance.now() - rejectedAt).toBeGreaterThanOrEqual(280);
    await settled(manager);
    expect(client.subscriptions()[0]!.markets).toEqual(['A', 'B']);
    expect(manager.stats().resubscribes).toBe(0);
    expect(errors).toEqual([]);
  });

  it('error 7 (unknown sid) on add_markets resubscribes the whole book on a fresh sid', async () => {
    const { manager, registry, client, events } = await startedHarness(['A'], { layout: ONE_BOOK });
    const resubscribed = events('resubscribed');
    const before = obSid(client);
    client.failNext(7, { action: 'add_markets' });
    registry.add('B');
    await vi.waitFor(() => expect(resubscribed).toHaveLength(1));
    expect(resubscribed[0]).toMatchObject({ connectionId: 1, role: 'orderbook', sid: before, kalshiCode: 7 });
    await settled(manager);
    const subscribes = client.commands.filter((c) => c.cmd === 'subscribe');
    expect(subscribes).toHaveLength(2);
    expect([...subscribes[1]!.tickers!].sort()).toEqual(['A', 'B']);
    expect(obSid(client)).not.toBe(before);
    expect(manager.health().connections[0]!.sids).toEqual([obSid(client)]);
    expect(manager.stats().resubscribes).toBe(1);
  });
});

describe('sid-scoped errors', () => {
  it('error 7 on an orderbook sid resubscribes its markets', async () => {
    const { manager, client, events } = await startedHarness(['A', 'B'], { layout: ONE_BOOK });
    const resubscribed = events('resubscribed');
    const before = obSid(client);
    client.subscriptionError(before, 7);
    expect(resubscribed).toEqual([{ connectionId: 1, role: 'orderbook', sid: before, kalshiCode: 7 }]);
    await settled(manager);
    expect(obSid(client)).not.toBe(before);
    expect(client.subscriptions().map((s) => [...s.markets].sort())).toEqual([['A', 'B']]);
  });

  it('error 7 on a role sid (ticker) resubscribes the role channel', async () => {
    const { manager, client, events } = await startedHarness([], { layout: ONE_TICKER });
    const resubscribed = events('resubscribed');
    const before = client.sidOf('ticker')!;
    expect(before).toBeDefined();
    client.subscriptionError(before, 7);
    expect(resubscribed).toEqual([{ connectionId: 1, role: 'ticker', sid: before, kalshiCode: 7 }]);
    await vi.waitFor(() => expect(client.sidOf('ticker')).not.toBe(before));
    await settled(manager);
    expect(manager.health().connections[0]!.sids).toEqual([client.sidOf('ticker')]);
  });

  it('error 18 on a sid is not terminal: reported as a non-fatal error, the subscription stays', async () => {
    const { manager, client, events } = await startedHarness(['A'], { layout: ONE_BOOK });
    const errors = events('error');
    const resubscribed = events('resubscribed');
    const sid = obSid(client);
    client.subscriptionError(sid, 18);
    expect(resubscribed).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ connectionId: 1, fatal: false, error: { kalshiCode: 18 } });
    // (The fake forgets the sid on any injected error; the manager keeps it open.)
    expect(manager.health().connections[0]!.sids).toEqual([sid]);
    expect(client.commands.filter((c) => c.cmd === 'subscribe')).toHaveLength(1);
  });
});

describe('error 9 outside the batch path', () => {
  it('error 9 on a get_snapshot repair reports the repair failed and does not redial (docs/errors.md)', async () => {
    const { manager, fakes, client, events } = await startedHarness(['A'], { layout: ONE_BOOK });
    const repairs = events('repair');
    client.failNext(9, { action: 'get_snapshot' });
    client.skipSeq(obSid(client), 1);
    client.data(obSid(client), 'orderbook_delta', {});
    await vi.waitFor(() => expect(repairs).toHaveLength(1));
    expect(repairs[0]).toMatchObject({ outcome: 'failed', error: { kalshiCode: 9 } });
    await settled(manager);
    expect(fakes.latest(1)).toBe(client); // no new client: the connection was not redialled
    expect(manager.health().connections[0]).toMatchObject({ state: 'open', generation: 1 });
  });
});
