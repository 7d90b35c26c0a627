/**
 * PendingCommands, the correlation table of one connection, on its own: how entries leave it (reply,
 * close, timeout, abort), what its owner is told, and which entry a sid-scoped reply belongs to.
 */
import { CommandTimeoutError } from 'kalshi-ws-pool';
import { describe, expect, it } from 'vitest';
import { PendingCommands, deferred } from '../../../src/client/pending-commands';
import type { ConnectionErrorOptions } from '../../../src/errors';
import type { PendingEntry, SubscribeEntry, UnsubscribeEntry } from '../../../src/client/pending-commands';
import { ManualClock } from '../manager/fakes/ports';

const noop = (): void => undefined;

function update(id: number, sid: number): PendingEntry {
  return { kind: 'update', id, cmd: 'update_subscription', sentAt: 0, resolve: noop, reject: noop, sid, action: 'add_markets' };
}

function snapshot(id: number, sid: number): PendingEntry {
  return { kind: 'snapshot', id, cmd: 'update_subscription', sentAt: 0, resolve: noop, reject: noop, sid, expected: 2, received: 0 };
}

function unsubscribe(id: number, sids: readonly number[]): UnsubscribeEntry {
  return { kind: 'unsubscribe', id, cmd: 'unsubscribe', sentAt: 0, resolve: noop, reject: noop, sids, remaining: new Set(sids), confirmed: [] };
}

function subscribe(id: number, channels: readonly string[]): SubscribeEntry {
  return { kind: 'subscribe', id, cmd: 'subscribe', sentAt: 0, resolve: noop, reject: noop, channels, results: channels.map(() => undefined), filled: 0 };
}

function list(id: number): PendingEntry {
  return { kind: 'list', id, cmd: 'list_subscriptions', sentAt: 0, resolve: noop, reject: noop };
}

/** A table on a hand-moved clock whose owner records what it is told. */
function setup(context: ConnectionErrorOptions = { connectionId: 3 }) {
  const clock = new ManualClock();
  const dropped: [id: number, why: string][] = [];
  const table = new PendingCommands(clock, { dropped: (entry, why) => void dropped.push([entry.id, why]) }, context);
  /** Tracks a command whose reply the test settles through the returned deferred. */
  const send = (entry: PendingEntry, timeoutMs = 100, signal?: AbortSignal) => {
    const reply = deferred<string>();
    const bounded = table.track(entry, reply.promise, timeoutMs, signal);
    bounded.catch(noop); // the tests await it where they care
    return { reply, bounded };
  };
  return { clock, dropped, table, send };
}

/** Lets settled promises run their handlers. */
const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('PendingCommands', () => {
  it('a reply resolves the command and clears its timer; the owner takes the entry out', async () => {
    const { clock, dropped, table, send } = setup();
    const entry = update(1, 5);
    const { reply, bounded } = send(entry);
    expect(table.size).toBe(1);
    expect(table.get(1)).toBe(entry);
    expect(clock.pending).toBe(1);
    expect(table.take(1)).toBe(entry);
    expect(table.size).toBe(0);
    reply.resolve('ok');
    await expect(bounded).resolves.toBe('ok');
    expect(clock.pending).toBe(0);
    expect(table.take(1)).toBeUndefined();
    expect(dropped).toEqual([]);
  });

  it('a timeout rejects with CommandTimeoutError naming the command, removes the entry and reports it', async () => {
    const { clock, dropped, table, send } = setup();
    const { bounded } = send(update(4, 5), 250);
    expect(clock.delays).toEqual([250]);
    clock.advance(249);
    await flush();
    expect(table.size).toBe(1);
    clock.advance(1);
    const error = await bounded.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect(error).toMatchObject({ command: 'update_subscription', commandId: 4, timeoutMs: 250 });
    expect((error as Error).message).toBe('update_subscription (id 4) timed out after 250 ms on connection 3');
    expect(table.size).toBe(0);
    expect(dropped).toEqual([[4, 'timeout']]);
  });

  it('an abort rejects with the signal reason, removes the entry and reports it as aborted', async () => {
    const { clock, dropped, table, send } = setup();
    const controller = new AbortController();
    const { bounded } = send(update(2, 5), 100, controller.signal);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(bounded).rejects.toBe(reason);
    expect(table.size).toBe(0);
    expect(dropped).toEqual([[2, 'aborted']]);
    expect(clock.pending).toBe(0);
  });

  it('a command without a signal is bounded by its timeout only', async () => {
    const { clock, table, send } = setup({});
    const { bounded } = send(list(1), 50);
    clock.advance(50);
    await expect(bounded).rejects.toThrow('list_subscriptions (id 1) timed out after 50 ms');
    await expect(bounded).rejects.not.toThrow('on connection');
    expect(table.size).toBe(0);
  });

  it('an entry settled before its timeout or abort (reply, send failure, close) is not reported as dropped', async () => {
    const { clock, dropped, table, send } = setup();
    const controller = new AbortController();
    const first = send(update(1, 5), 100, controller.signal);
    const second = send(update(2, 6), 100);
    // The owner took them out (a reply, or a send failure it rejects itself), then the bound fires.
    expect(table.remove(table.get(1)!)).toBe(true);
    table.take(2);
    controller.abort(new Error('late abort'));
    clock.advance(100);
    await expect(first.bounded).rejects.toThrow('late abort');
    await expect(second.bounded).rejects.toBeInstanceOf(CommandTimeoutError);
    expect(dropped).toEqual([]);
  });

  it('a newer entry under the same id is left alone when the older one times out', async () => {
    const { clock, dropped, table, send } = setup();
    const older = update(1, 5);
    const { bounded } = send(older, 100);
    const newer = update(1, 6);
    send(newer, 1_000);
    expect(table.size).toBe(1);
    clock.advance(100);
    await expect(bounded).rejects.toBeInstanceOf(CommandTimeoutError);
    expect(table.get(1)).toBe(newer);
    expect(dropped).toEqual([]);
    expect(table.remove(older)).toBe(false);
    expect(table.get(1)).toBe(newer);
    expect(table.remove(newer)).toBe(true);
    expect(table.remove(newer)).toBe(false);
  });

  it('rejectAll() rejects every entry with the close error and empties the table first', () => {
    const { dropped, table } = setup();
    const rejected: [number, Error, number][] = [];
    const entries = [1, 2, 3].map((id): PendingEntry => ({
      ...update(id, id),
      reject: (error) => void rejected.push([id, error, table.size]),
    }));
    for (const entry of entries) table.track(entry, new Promise<never>(noop), 100, undefined).catch(noop);
    const closed = new Error('closed');
    table.rejectAll(closed);
    expect(rejected).toEqual([
      [1, closed, 0],
      [2, closed, 0],
      [3, closed, 0],
    ]);
    expect(table.size).toBe(0);
    expect(dropped).toEqual([]);
  });
});

describe('PendingCommands.soleBySid', () => {
  it('finds the one update or get_snapshot on a sid', () => {
    const { table, send } = setup();
    send(update(1, 5));
    send(snapshot(2, 6));
    send(list(3));
    expect(table.soleBySid(5, undefined)?.id).toBe(1);
    expect(table.soleBySid(6, 'orderbook_delta')?.id).toBe(2);
    expect(table.soleBySid(7, undefined)).toBeUndefined();
  });

  it('finds an unsubscribe only while the sid is still unconfirmed', () => {
    const { table, send } = setup();
    const entry = unsubscribe(1, [5, 6]);
    send(entry);
    expect(table.soleBySid(6, undefined)).toBe(entry);
    entry.remaining.delete(6);
    expect(table.soleBySid(6, undefined)).toBeUndefined();
    expect(table.soleBySid(5, undefined)).toBe(entry);
  });

  it('finds a subscribe with an open result slot for the channel, only when the channel is known', () => {
    const { table, send } = setup();
    const entry = subscribe(1, ['ticker', 'orderbook_delta']);
    send(entry);
    expect(table.soleBySid(9, 'orderbook_delta')).toBe(entry);
    expect(table.soleBySid(9, 'trade')).toBeUndefined();
    expect(table.soleBySid(9, undefined)).toBeUndefined();
    entry.results[1] = { sid: 9, channel: 'orderbook_delta' };
    expect(table.soleBySid(9, 'orderbook_delta')).toBeUndefined();
    expect(table.soleBySid(9, 'ticker')).toBe(entry);
  });

  it('answers undefined when two commands address the sid', () => {
    const { table, send } = setup();
    send(update(1, 5));
    send(snapshot(2, 5));
    expect(table.soleBySid(5, undefined)).toBeUndefined();
    const two = setup();
    two.send(subscribe(1, ['orderbook_delta']));
    two.send(update(2, 5));
    expect(two.table.soleBySid(5, 'orderbook_delta')).toBeUndefined();
    expect(two.table.soleBySid(5, undefined)?.id).toBe(2);
  });
});
