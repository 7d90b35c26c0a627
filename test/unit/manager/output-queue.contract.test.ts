/**
 * OutputQueue edges the main suite (output-queue.test.ts) does not pin: the exact validation messages,
 * which policies may pause, what a consumer leaves behind when it ends, and the first abort winning.
 * Written for the mutation run of #18 (docs/testing.md, "Mutation testing"); kept in its own file so an
 * incremental run re-tests only the mutants these tests cover.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, StateError } from 'kalshi-ws-pool';
import type { RawMessage } from 'kalshi-ws-pool';
import { OutputQueue } from '../../../src/manager/output-queue';
import type { OutputQueueOptions } from '../../../src/manager/output-queue';
import { PoolMessage } from '../../../src/manager/pool-message';
import { countedSignal } from './fakes/counted-signal';

const msg = (seq: number, size = 2, sid = 1): PoolMessage =>
  new PoolMessage(new Uint8Array(size), 1, 0, 'orderbook_delta', sid, seq, false, 0);

const queue = (options: Partial<OutputQueueOptions> = {}): OutputQueue =>
  new OutputQueue({ capacity: 10, lowWaterMark: 5, policy: 'pause', ...options });

describe('OutputQueue: validation messages', () => {
  it('names the option, the allowed range and the value given', () => {
    expect(() => queue({ capacity: 0 })).toThrow('queue.capacity: must be an integer >= 1, got 0');
    expect(() => queue({ capacity: 10, lowWaterMark: 10 })).toThrow('queue.lowWaterMark: must be an integer in [0, 9], got 10');
    expect(() => queue({ lowWaterMark: 2.5 })).toThrow('queue.lowWaterMark: must be an integer in [0, 9], got 2.5');
    expect(() => queue({ policy: 'drop-all' as OutputQueueOptions['policy'] })).toThrow(
      "queue.policy: must be 'pause', 'drop-oldest' or 'drop-newest', got drop-all",
    );
    expect(() => queue().batches(0)).toThrow('maxBatch: must be an integer >= 1, got 0');
    expect(() => queue().batches(2.5)).toThrow(ConfigError);
    expect(() => queue().iterate({} as AbortSignal)).toThrow('signal: must be an AbortSignal');
  });

  it('accepts the smallest valid values and an explicit infinite byte budget', async () => {
    expect(() => queue({ capacity: 1, lowWaterMark: 0 })).not.toThrow();
    const q = queue({ maxBytes: Infinity, policy: 'drop-newest', capacity: 2, lowWaterMark: 0 });
    q.push(msg(1, 1_000_000));
    q.push(msg(2, 1_000_000));
    expect([q.size, q.dropped]).toEqual([2, 0]);
    // batches(1) is allowed and yields one message at a time.
    const it = q.batches(1);
    expect(((await it.next()).value as RawMessage[]).map((m) => m.seq)).toEqual([1]);
    expect(((await it.next()).value as RawMessage[]).map((m) => m.seq)).toEqual([2]);
  });

  it('a second consumer is told why', () => {
    const q = queue();
    q.iterate();
    expect(() => q.iterate()).toThrow(new StateError('the message stream already has a consumer; only one iterator may read at a time'));
  });
});

describe('OutputQueue: policies at the limit', () => {
  it('drop policies never pause: full queues drop instead', () => {
    for (const policy of ['drop-newest', 'drop-oldest'] as const) {
      const onPause = vi.fn();
      const q = queue({ policy, capacity: 3, lowWaterMark: 0, maxBytes: 100, onPause });
      for (let seq = 1; seq <= 5; seq++) q.push(msg(seq));
      expect(q.size).toBe(3);
      q.push(msg(6, 100)); // the byte budget too
      expect(q.paused).toBe(false);
      expect(onPause).not.toHaveBeenCalled();
    }
  });

  it('drop-oldest: a message larger than the whole byte budget evicts everything and is kept', async () => {
    const q = queue({ policy: 'drop-oldest', capacity: 10, lowWaterMark: 0, maxBytes: 100 });
    q.push(msg(1, 40));
    q.push(msg(2, 40));
    q.push(msg(3, 500));
    expect([q.size, q.bytes, q.dropped]).toEqual([1, 500, 2]);
    const it = q.iterate();
    const first = (await it.next()).value as RawMessage;
    expect([first.seq, first.seqGap, first.gapSize]).toEqual([3, true, 2]);
  });

  it('a waiting batch consumer gets a pushed message as a one-element batch', async () => {
    const q = queue();
    const it = q.batches(5);
    const pending = it.next();
    const m = msg(1);
    q.push(m);
    const result = await pending;
    expect(result.done).toBe(false);
    expect(result.value).toEqual([m]);
    expect(result.value[0]).toBe(m);
  });
});

describe('OutputQueue: what an ended consumer leaves behind', () => {
  it('end() with a waiting consumer frees the stream for the next one and removes its abort listener', async () => {
    const q = queue();
    const { signal, listeners } = countedSignal();
    const it = q.iterate(signal);
    const pending = it.next();
    expect(listeners()).toBe(1);
    q.end();
    await expect(pending).resolves.toMatchObject({ done: true });
    expect(listeners()).toBe(0);
    // No return() was called: end() itself gave the stream up.
    await expect(q.iterate().next()).resolves.toMatchObject({ done: true });
  });

  it('a consumer that read to the end without return() frees the stream', async () => {
    const q = queue();
    q.push(msg(1));
    q.end();
    const it = q.iterate();
    expect(((await it.next()).value as RawMessage).seq).toBe(1);
    await expect(it.next()).resolves.toMatchObject({ done: true });
    expect(() => q.iterate()).not.toThrow();
  });

  it('a consumer that saw the abort error without return() frees the stream, and the next one sees the error too', async () => {
    const q = queue();
    const error = new Error('boom');
    q.abort(error);
    await expect(q.iterate().next()).rejects.toBe(error);
    await expect(q.iterate().next()).rejects.toBe(error);
  });

  it('abort() of a waiting consumer frees the stream: a new iterator gets the same error', async () => {
    const q = queue();
    const error = new Error('boom');
    const { signal, listeners } = countedSignal();
    const pending = q.iterate(signal).next();
    q.abort(error);
    await expect(pending).rejects.toBe(error);
    expect(listeners()).toBe(0);
    await expect(q.iterate().next()).rejects.toBe(error);
  });

  it('the first abort wins; it empties the byte count and works with no consumer at all', async () => {
    const q = queue();
    q.push(msg(1, 300));
    expect(q.bytes).toBe(300);
    const first = new Error('first');
    expect(() => q.abort(first)).not.toThrow();
    q.abort(new Error('second'));
    expect([q.size, q.bytes]).toEqual([0, 0]);
    await expect(q.iterate().next()).rejects.toBe(first);
  });

  it("a stale iterator's return() does not end the current consumer", async () => {
    const q = queue();
    const old = q.iterate();
    await old.return?.();
    const current = q.iterate();
    const pending = current.next();
    await old.return?.();
    expect(() => q.iterate()).toThrow(StateError);
    const m = msg(1);
    q.push(m);
    await expect(pending).resolves.toBe(m);
  });

  it('return() detaches the abort listener from the signal itself', async () => {
    const q = queue();
    const signal = new AbortController().signal;
    const it = q.iterate(signal);
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    await it.return?.();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('OutputQueue: drop bookkeeping', () => {
  it('a message that fills the byte budget exactly is kept', () => {
    const q = queue({ policy: 'drop-newest', capacity: 10, lowWaterMark: 0, maxBytes: 1_000 });
    for (let seq = 1; seq <= 3; seq++) q.push(msg(seq, 300));
    q.push(msg(4, 100));
    expect([q.size, q.bytes, q.dropped]).toEqual([4, 1_000, 0]);
  });

  it('a drop is reported once: a later drop on another stream does not flag the first stream again', async () => {
    const q = queue({ policy: 'drop-newest', capacity: 1, lowWaterMark: 0 });
    const it = q.iterate();
    const next = async (): Promise<string> => {
      const m = (await it.next()).value as RawMessage;
      return `${m.sid}/${m.seq}${m.seqGap ? `+${m.gapSize}` : ''}`;
    };
    q.push(msg(1, 2, 1));
    q.push(msg(2, 2, 1)); // dropped: stream 1 owes one
    expect(await next()).toBe('1/1');
    q.push(msg(3, 2, 1));
    expect(await next()).toBe('1/3+1');
    q.push(msg(1, 2, 2));
    q.push(msg(2, 2, 2)); // dropped: stream 2 owes one
    expect(await next()).toBe('2/1');
    q.push(msg(4, 2, 1)); // stream 1 owes nothing any more
    expect(await next()).toBe('1/4');
    q.push(msg(3, 2, 2));
    expect(await next()).toBe('2/3+1');
  });
});
