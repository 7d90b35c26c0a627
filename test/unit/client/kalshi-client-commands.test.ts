import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ClosedError, CommandRejectedError, CommandTimeoutError, InvalidCommandError } from 'kalshi-ws-pool';
import type { EnvelopeScan } from 'kalshi-ws-pool/protocol';
import { closeAfterEach } from '../../helpers/teardown';
import { connectedMock as connected, resources, stoppedAfterTest } from './mock-kalshi';

closeAfterEach();

describe('KalshiClient commands (mock-socket)', () => {
  it('numbers commands from 1 and matches replies by id, whatever their order', async () => {
    const { client, commands, send, waitForCommands } = await connected();
    const list = client.listSubscriptions();
    const sub = client.subscribe(['trade']);
    await waitForCommands(2);
    expect(commands.map((c) => [c.id, c.cmd])).toEqual([
      [1, 'list_subscriptions'],
      [2, 'subscribe'],
    ]);
    send({ id: 2, type: 'subscribed', msg: { channel: 'trade', sid: 7 } });
    send({ id: 1, type: 'ok', msg: [{ channel: 'trade', sid: 7 }] });
    await expect(sub).resolves.toEqual([{ sid: 7, channel: 'trade' }]);
    await expect(list).resolves.toEqual([{ sid: 7, channel: 'trade' }]);
    const stats = client.stats();
    expect(stats.commandsSent).toEqual({ list_subscriptions: 1, subscribe: 1 });
    expect(stats.commandsAnswered).toEqual({ list_subscriptions: 1, subscribe: 1 });
    expect(stats.pendingCommands).toBe(0);
  });

  it('collects one subscribed per channel and resolves in request order, after the subscribed events', async () => {
    const { client, commands, send, waitForCommands } = await connected();
    const events: string[] = [];
    client.on('subscribed', (e) => events.push(`${e.channel}:${e.sid}:${e.id}`));
    const sub = client.subscribe(['orderbook_delta', 'trade'], ['A', 'B']);
    await waitForCommands(1);
    expect(commands[0]?.params).toEqual({ channels: ['orderbook_delta', 'trade'], market_tickers: ['A', 'B'] });
    let settled = false;
    void sub.then(() => (settled = true));
    send({ id: 1, type: 'subscribed', msg: { channel: 'trade', sid: 2 } });
    await Promise.resolve();
    expect(settled).toBe(false);
    send({ id: 1, type: 'subscribed', msg: { channel: 'orderbook_delta', sid: 1 } });
    expect(events).toEqual(['trade:2:1', 'orderbook_delta:1:1']);
    await expect(sub).resolves.toEqual([
      { sid: 1, channel: 'orderbook_delta' },
      { sid: 2, channel: 'trade' },
    ]);
  });

  it('times out, removes the entry, and counts and drops a late reply', async () => {
    const { client, send, waitForCommands } = await connected({ commandTimeoutMs: 40 });
    const sub = client.subscribe(['trade']);
    await expect(sub).rejects.toBeInstanceOf(CommandTimeoutError);
    await expect(sub).rejects.toMatchObject({ command: 'subscribe', commandId: 1, timeoutMs: 40 });
    expect(client.stats().pendingCommands).toBe(0);
    expect(client.stats().errors['timeout']).toBe(1);
    await waitForCommands(1);
    send({ id: 1, type: 'subscribed', msg: { channel: 'trade', sid: 3 } });
    expect(client.stats().errors['late-reply']).toBe(1);
    expect(client.connected).toBe(true);
  });

  it('honours a per-command timeout override', async () => {
    const { client } = await connected({ commandTimeoutMs: 60_000 });
    await expect(client.listSubscriptions({ timeoutMs: 20 })).rejects.toMatchObject({ timeoutMs: 20 });
    await expect(client.listSubscriptions({ timeoutMs: 0 })).rejects.toMatchObject({ code: 'KWP_CONFIG', option: 'timeoutMs' });
  });

  it('rejects every pending command at once with ClosedError when the socket closes', async () => {
    const { client, socket, waitForCommands } = await connected();
    const closes: string[] = [];
    client.on('close', (info) => closes.push(info.kind));
    const a = client.subscribe(['trade']);
    const b = client.listSubscriptions();
    await waitForCommands(2);
    socket().close({ code: 1000, reason: 'bye', wasClean: true });
    await expect(a).rejects.toBeInstanceOf(ClosedError);
    await expect(b).rejects.toBeInstanceOf(ClosedError);
    expect(closes).toEqual(['clean']);
    expect(client.state).toBe('closed');
    expect(client.stats().pendingCommands).toBe(0);
  });

  it('rejects on abort with signal.reason, removing the entry and its abort listener', async () => {
    const { client, send, waitForCommands } = await connected();
    const controller = new AbortController();
    const list = client.listSubscriptions({ signal: controller.signal });
    await waitForCommands(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(list).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(client.stats().pendingCommands).toBe(0);
    expect(client.stats().errors['aborted']).toBe(1);
    send({ id: 1, type: 'ok', msg: [] });
    expect(client.stats().errors['late-reply']).toBe(1);
  });

  it('removes the abort listener after a normal reply too', async () => {
    const { client, send, waitForCommands } = await connected();
    const controller = new AbortController();
    const list = client.listSubscriptions({ signal: controller.signal });
    await waitForCommands(1);
    send({ id: 1, type: 'ok', msg: [] });
    await expect(list).resolves.toEqual([]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects an already-aborted signal without sending', async () => {
    const { client, commands } = await connected();
    const controller = new AbortController();
    controller.abort(new Error('early'));
    await expect(client.listSubscriptions({ signal: controller.signal })).rejects.toThrow('early');
    expect(commands).toHaveLength(0);
    expect(client.stats().commandsSent).toEqual({});
  });

  it('rejects a command while not open with ClosedError, and a bad command with InvalidCommandError', async () => {
    const mock = stoppedAfterTest();
    await expect(mock.client.listSubscriptions()).rejects.toBeInstanceOf(ClosedError);
    await mock.client.connect();
    await expect(mock.client.subscribe([])).rejects.toBeInstanceOf(InvalidCommandError);
    await expect(mock.client.updateSubscription(0, 'add_markets', ['A'])).rejects.toBeInstanceOf(InvalidCommandError);
    // The failed builds consumed no id.
    void mock.client.listSubscriptions().catch(() => undefined);
    await mock.waitForCommands(1);
    expect(mock.commands[0]?.id).toBe(1);
  });

  it('resolves add_markets on ok with sid + seq and also emits that reply as a frame', async () => {
    const { client, commands, send, waitForCommands } = await connected();
    const frames: { type: string | undefined; sid: number | undefined; seq: number | undefined }[] = [];
    client.setFrameSink((_data, _at, env: EnvelopeScan) => frames.push({ type: env.type, sid: env.sid, seq: env.seq }));
    const add = client.updateSubscription(4, 'add_markets', ['A', 'B']);
    await waitForCommands(1);
    expect(commands[0]).toEqual({
      id: 1,
      cmd: 'update_subscription',
      params: { sids: [4], action: 'add_markets', market_tickers: ['A', 'B'] },
    });
    send({ id: 1, sid: 4, seq: 108, type: 'ok', msg: { market_tickers: ['A', 'B', 'C'] } });
    await expect(add).resolves.toEqual({ sid: 4, action: 'add_markets', seq: 108, snapshots: 0 });
    expect(frames).toEqual([{ type: 'ok', sid: 4, seq: 108 }]);
  });

  it('resolves get_snapshot when the last requested snapshot carrying its id arrived', async () => {
    const { client, send, waitForCommands } = await connected();
    const seqs: (number | undefined)[] = [];
    client.setFrameSink((_d, _a, env) => seqs.push(env.seq));
    const snap = client.updateSubscription(1, 'get_snapshot', ['A', 'B']);
    await waitForCommands(1);
    let settled = false;
    void snap.then(() => (settled = true));
    send({ type: 'orderbook_snapshot', sid: 1, seq: 10, id: 1, msg: { market_ticker: 'A' } });
    send({ type: 'orderbook_delta', sid: 1, seq: 11, msg: { market_ticker: 'C' } });
    await Promise.resolve();
    expect(settled).toBe(false);
    send({ type: 'orderbook_snapshot', sid: 1, seq: 12, id: 1, msg: { market_ticker: 'B' } });
    await expect(snap).resolves.toEqual({ sid: 1, action: 'get_snapshot', seq: undefined, snapshots: 2 });
    expect(seqs).toEqual([10, 11, 12]);
  });

  it('routes a sid-scoped error without id to the pending command on that sid, else to subscriptionError', async () => {
    const { client, send, waitForCommands } = await connected();
    const subErrors: number[] = [];
    const frames: (number | undefined)[] = [];
    client.on('subscriptionError', (e) => subErrors.push(e.sid));
    client.setFrameSink((_d, _a, env) => frames.push(env.seq));
    const del = client.updateSubscription(3, 'delete_markets', ['A']);
    await waitForCommands(1);
    send({ type: 'error', sid: 3, seq: 5, msg: { code: 10, msg: 'channel error' } });
    const error = await del.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandRejectedError);
    expect(error).toMatchObject({ kalshiCode: 10, classification: 'terminal-subscription', sid: 3, command: 'update_subscription' });
    send({ type: 'error', sid: 9, seq: 2, msg: { code: 25, msg: 'buffer overflow' } });
    expect(subErrors).toEqual([9]);
    expect(frames).toEqual([5, 2]);
    expect(client.stats().errors['rejected']).toBe(2);
  });

  it('rejects a command answered with an error reply (with id)', async () => {
    const { client, send, waitForCommands } = await connected({ connectionId: 17 });
    const sub = client.subscribe(['nope']);
    await waitForCommands(1);
    send({ id: 1, type: 'error', msg: { code: 8, msg: 'Unknown channel name' } });
    await expect(sub).rejects.toMatchObject({ code: 'KWP_COMMAND_REJECTED', kalshiCode: 8, commandId: 1, command: 'subscribe' });
    await expect(sub).rejects.toThrow(/connection 17/);
  });

  it('resolves unsubscribe once every sid is confirmed, also without ids', async () => {
    const { client, send, waitForCommands } = await connected();
    const unsub = client.unsubscribe([1, 2]);
    await waitForCommands(1);
    send({ id: 1, sid: 1, seq: 7, type: 'unsubscribed' });
    send({ sid: 2, type: 'unsubscribed' });
    await expect(unsub).resolves.toEqual({ sids: [1, 2] });
  });

  it('has no pending entries, timers or socket listeners after close()', async () => {
    const { client } = await connected({ pingIntervalMs: 1000 });
    const pending = client.listSubscriptions();
    let closes = 0;
    client.on('close', () => (closes += 1));
    await Promise.all([client.close(), client.close()]);
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    await client.close();
    client.terminate();
    expect(closes).toBe(1);
    expect(resources(client)).toEqual({ timers: 0, socketListeners: 0 });
    await expect(client.listSubscriptions()).rejects.toBeInstanceOf(ClosedError);
  });
});
