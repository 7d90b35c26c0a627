/**
 * Regression tests: replies are trusted only when they answer a pending command (#19 items 6, 7),
 * sid-scoped errors without id go to the one command on that sid (#14 item 4, #18), and close()
 * does not count pending commands as aborted (#18).
 */
import { describe, expect, it } from 'vitest';
import { ClosedError, CommandRejectedError } from 'kalshi-ws-pool';
import type { ProtocolError } from 'kalshi-ws-pool';
import { closeAfterEach } from '../../helpers/teardown';
import { connectedMock as connected } from './mock-kalshi';

closeAfterEach();

describe('replies are trusted only when they answer a pending command', () => {
  it('an unsolicited subscribed (no id, unknown id, or a channel not asked for) emits no subscribed event', async () => {
    const { client, send, waitForCommands } = await connected();
    const opened: number[] = [];
    const problems: ProtocolError[] = [];
    client.on('subscribed', (e) => opened.push(e.sid));
    client.on('protocolError', (e) => problems.push(e));
    send({ type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 40 } });
    send({ id: 99, type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 41 } });
    const sub = client.subscribe(['trade']);
    await waitForCommands(1);
    send({ id: 1, type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 42 } });
    send({ id: 1, type: 'subscribed', msg: { channel: 'trade', sid: 43 } });
    await expect(sub).resolves.toEqual([{ sid: 43, channel: 'trade' }]);
    expect(opened).toEqual([43]);
    expect(problems.length).toBe(2);
    expect(client.stats().errors['late-reply']).toBe(1);
  });

  it('unsubscribe accepts only the sids it asked for, in linear time', async () => {
    const { client, send, waitForCommands } = await connected({ commandTimeoutMs: 30_000 });
    const unsub = client.unsubscribe([1]);
    await waitForCommands(1);
    const started = performance.now();
    for (let sid = 2; sid <= 60_001; sid++) send({ id: 1, type: 'unsubscribed', sid, seq: 1 });
    send({ id: 1, type: 'unsubscribed', sid: 1, seq: 2 });
    await expect(unsub).resolves.toEqual({ sids: [1] });
    expect(performance.now() - started).toBeLessThan(2_000);
  }, 20_000);
});

describe('sid-scoped errors and pending commands', () => {
  it('a sid-scoped error without id rejects a get_snapshot pending on that sid', async () => {
    const { client, send, waitForCommands } = await connected();
    const snap = client.updateSubscription(3, 'get_snapshot', ['A', 'B']);
    await waitForCommands(1);
    send({ type: 'error', sid: 3, seq: 4, msg: { code: 10, msg: 'channel error' } });
    await expect(snap).rejects.toMatchObject({ kalshiCode: 10, command: 'update_subscription' });
  });

  it('a sid-scoped error without id rejects a merging subscribe on that sid (error 26)', async () => {
    const { client, send, waitForCommands } = await connected({ commandTimeoutMs: 30_000 });
    const first = client.subscribe(['orderbook_delta'], ['A']);
    await waitForCommands(1);
    send({ id: 1, type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 5 } });
    await first;
    const second = client.subscribe(['orderbook_delta'], ['B', 'C']);
    await waitForCommands(2);
    send({ type: 'error', sid: 5, seq: 2, msg: { code: 26, msg: 'Subscription market limit exceeded' } });
    const error = await second.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandRejectedError);
    expect(error).toMatchObject({ kalshiCode: 26, command: 'subscribe' });
  });

  it('is not attributed when two commands are pending on the sid', async () => {
    const { client, send, waitForCommands } = await connected({ commandTimeoutMs: 30_000 });
    const errors: number[] = [];
    client.on('subscriptionError', (e) => errors.push(e.sid));
    const a = client.updateSubscription(3, 'add_markets', ['A']);
    const b = client.updateSubscription(3, 'delete_markets', ['B']);
    await waitForCommands(2);
    send({ type: 'error', sid: 3, seq: 4, msg: { code: 10, msg: 'channel error' } });
    expect(errors).toEqual([3]);
    expect(client.stats().pendingCommands).toBe(2);
    send({ id: 1, type: 'ok', sid: 3, seq: 5, msg: { market_tickers: ['A'] } });
    send({ id: 2, type: 'ok', sid: 3, seq: 6, msg: { market_tickers: ['A'] } });
    await Promise.all([a, b]);
  });

  it('close() with pending commands rejects them with ClosedError and counts none as aborted', async () => {
    const { client, waitForCommands } = await connected({ closeTimeoutMs: 200 });
    const pending = [client.subscribe(['trade']), client.listSubscriptions(), client.unsubscribe([4])];
    await waitForCommands(3);
    const closing = client.close();
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(ClosedError);
    await closing;
    expect(client.stats().errors['aborted'] ?? 0).toBe(0);
    expect(client.stats().errors['timeout'] ?? 0).toBe(0);
  });
});
