import { describe, expect, it, vi } from 'vitest';
import { ConfigError, StateError, createConnectionManager, createMemoryRegistry, isKalshiWsPoolError, managerDefaults } from 'kalshi-ws-pool';
import { createFakeClientFactory } from 'kalshi-ws-pool/testing';
import type { RawMessage } from 'kalshi-ws-pool';
import { OutputQueue } from '../../../src/manager/output-queue';
import type { OutputQueueOptions } from '../../../src/manager/output-queue';
import { countedSignal } from './fakes/counted-signal';
import { PoolMessage } from '../../../src/manager/pool-message';

const bytes = new Uint8Array([123, 125]);
const msg = (connectionId: number, sid: number | undefined, seq: number | undefined): PoolMessage =>
  new PoolMessage(bytes, connectionId, 0, 'orderbook_delta', sid, seq, false, 0);

const queue = (options: Partial<OutputQueueOptions> = {}): OutputQueue =>
  new OutputQueue({ capacity: 10, lowWaterMark: 5, policy: 'pause', ...options });

/** Take exactly `count` messages through a fresh iterator, then release it. */
async function take(q: OutputQueue, count: number): Promise<RawMessage[]> {
  const it = q.iterate();
  const out: RawMessage[] = [];
  for (let i = 0; i < count; i++) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  await it.return?.();
  return out;
}

const summary = (m: RawMessage): string => `${m.connectionId}/${m.sid}/${m.seq}${m.seqGap ? `+${m.gapSize}` : ''}`;

describe('OutputQueue: basics', () => {
  it('validates options', () => {
    expect(() => queue({ capacity: 0 })).toThrow(ConfigError);
    expect(() => queue({ capacity: 1.5 })).toThrow(ConfigError);
    expect(() => queue({ capacity: 10, lowWaterMark: 10 })).toThrow(/lowWaterMark/);
    expect(() => queue({ lowWaterMark: -1 })).toThrow(ConfigError);
    expect(() => queue({ policy: 'drop-all' as OutputQueueOptions['policy'] })).toThrow(/policy/);
    expect(() => queue().batches(0)).toThrow(ConfigError);
  });

  it('delivers in push order', async () => {
    const q = queue({ capacity: 100, lowWaterMark: 10 });
    for (let i = 1; i <= 50; i++) q.push(msg(1 + (i % 3), 1, i));
    expect(q.size).toBe(50);
    const out = await take(q, 50);
    expect(out.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(q.size).toBe(0);
    expect(out.every((m) => !m.seqGap)).toBe(true);
  });

  it('a waiting next() is resolved by push', async () => {
    const q = queue();
    const it = q.iterate();
    const pending = it.next();
    let settled = false;
    void pending.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    const m = msg(1, 1, 1);
    q.push(m);
    const result = await pending;
    expect([result.done, result.value]).toStrictEqual([false, m]);
    // The message is its own result: no { done, value } object per message, nothing extra serialized.
    expect(result).toBe(m);
    expect(Object.keys(m)).not.toContain('done');
    expect(JSON.parse(JSON.stringify({ ...m, data: undefined })) as object).not.toHaveProperty('value');
    expect(q.size).toBe(0);
  });

  it('two next() calls before any push get two messages in order', async () => {
    const q = queue();
    const it = q.iterate();
    const a = it.next();
    const b = it.next();
    q.push(msg(1, 1, 1));
    q.push(msg(1, 1, 2));
    expect(((await a).value as RawMessage).seq).toBe(1);
    expect(((await b).value as RawMessage).seq).toBe(2);
  });

  it('keeps ring order across wrap-around and growth (model check)', async () => {
    for (const policy of ['pause', 'drop-oldest', 'drop-newest'] as const) {
      const capacity = 37;
      const q = queue({ capacity, lowWaterMark: 3, policy });
      const model: number[] = [];
      let seed = 12345;
      const rand = (n: number): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed % n;
      };
      const it = q.iterate();
      let next = 1;
      for (let round = 0; round < 300; round++) {
        const pushes = rand(60);
        for (let i = 0; i < pushes; i++) {
          const seq = next++;
          q.push(msg(1, undefined, seq));
          if (policy === 'pause' || model.length < capacity) model.push(seq);
          else if (policy === 'drop-oldest') {
            model.shift();
            model.push(seq);
          }
        }
        expect(q.size).toBe(model.length);
        const takes = Math.min(rand(60), model.length);
        for (let i = 0; i < takes; i++) {
          const r = await it.next();
          expect((r.value as RawMessage).seq).toBe(model.shift());
        }
      }
    }
  });
});

describe('OutputQueue: overflow policies', () => {
  it('drop-newest: 15 into capacity 10 drops 5 and flags the next message of that stream only', async () => {
    const onDrop = vi.fn();
    const q = queue({ policy: 'drop-newest', onDrop });
    for (let s = 1; s <= 5; s++) q.push(msg(1, 1, s)); // stream A
    for (let s = 1; s <= 5; s++) q.push(msg(2, 1, s)); // stream B
    for (let s = 6; s <= 10; s++) q.push(msg(1, 1, s)); // A: dropped (queue full)
    expect(q.size).toBe(10);
    expect(q.dropped).toBe(5);
    expect(onDrop).toHaveBeenCalledTimes(5);
    expect((onDrop.mock.calls.map((c) => (c[0] as RawMessage).seq))).toEqual([6, 7, 8, 9, 10]);
    // What was queued precedes the drops: nothing flagged.
    expect((await take(q, 10)).filter((m) => m.seqGap)).toEqual([]);
    q.push(msg(2, 1, 6));
    q.push(msg(1, 1, 11));
    q.push(msg(1, 1, 12));
    expect((await take(q, 3)).map(summary)).toEqual(['2/1/6', '1/1/11+5', '1/1/12']);
  });

  it('drop-newest: flags when the next message of the stream is pushed while others are queued', async () => {
    const q = queue({ capacity: 3, lowWaterMark: 0, policy: 'drop-newest' });
    q.push(msg(1, 1, 1));
    q.push(msg(1, 2, 1));
    q.push(msg(1, 1, 2));
    q.push(msg(1, 2, 2)); // dropped
    q.push(msg(1, 2, 3)); // dropped
    expect(q.dropped).toBe(2);
    expect((await take(q, 1)).map(summary)).toEqual(['1/1/1']);
    q.push(msg(1, 2, 4));
    expect((await take(q, 3)).map(summary)).toEqual(['1/2/1', '1/1/2', '1/2/4+2']);
  });

  it('drop-oldest: evicts the head and flags the next delivered message of its stream', async () => {
    const onDrop = vi.fn();
    const q = queue({ policy: 'drop-oldest', onDrop });
    for (let s = 1; s <= 5; s++) q.push(msg(1, 1, s)); // A
    for (let s = 1; s <= 5; s++) q.push(msg(2, 1, s)); // B
    for (let s = 6; s <= 10; s++) q.push(msg(1, 1, s)); // evicts A1..A5
    expect(q.size).toBe(10);
    expect(q.dropped).toBe(5);
    expect(onDrop.mock.calls.map((c) => summary(c[0] as RawMessage))).toEqual(['1/1/1', '1/1/2', '1/1/3', '1/1/4', '1/1/5']);
    expect((await take(q, 10)).map(summary)).toEqual([
      '2/1/1', '2/1/2', '2/1/3', '2/1/4', '2/1/5', '1/1/6+5', '1/1/7', '1/1/8', '1/1/9', '1/1/10',
    ]);
  });

  it('drop-oldest: interleaved streams each get their own count', async () => {
    const q = queue({ capacity: 4, lowWaterMark: 0, policy: 'drop-oldest' });
    q.push(msg(1, 1, 1));
    q.push(msg(2, 7, 1));
    q.push(msg(1, 1, 2));
    q.push(msg(2, 7, 2));
    q.push(msg(1, 1, 3)); // evicts 1/1/1
    q.push(msg(2, 7, 3)); // evicts 2/7/1
    q.push(msg(3, undefined, undefined)); // evicts 1/1/2
    expect(q.dropped).toBe(3);
    expect((await take(q, 4)).map(summary)).toEqual(['2/7/2+1', '1/1/3+2', '2/7/3', '3/undefined/undefined']);
  });

  it('a dropped message that carried a seq gap passes it on', async () => {
    const q = queue({ capacity: 1, lowWaterMark: 0, policy: 'drop-oldest' });
    q.push(new PoolMessage(bytes, 1, 0, 'orderbook_delta', 1, 5, true, 3)); // 3 missing before seq 5
    q.push(msg(1, 1, 6)); // evicts seq 5
    expect((await take(q, 1)).map(summary)).toEqual(['1/1/6+4']);
  });

  it('drop flags reach a waiting consumer (direct hand-off)', async () => {
    const q = queue({ capacity: 1, lowWaterMark: 0, policy: 'drop-oldest' });
    q.push(msg(1, 1, 1));
    q.push(msg(1, 1, 2)); // evicts 1
    const it = q.iterate();
    expect(summary((await it.next()).value as RawMessage)).toBe('1/1/2+1');
    const pending = it.next();
    q.push(msg(1, 1, 3));
    expect(summary((await pending).value as RawMessage)).toBe('1/1/3');
  });

  it('direct hand-off applies a drop flag left pending by another stream (mutation survivor)', async () => {
    const q = queue({ capacity: 1, lowWaterMark: 0, policy: 'drop-oldest' });
    q.push(msg(1, 1, 1));
    q.push(msg(1, 2, 1)); // evicts sid 1 seq 1: its flag waits for sid 1's next delivery
    const it = q.iterate();
    expect(summary((await it.next()).value as RawMessage)).toBe('1/2/1'); // another stream: no flag
    const pending = it.next(); // the queue is empty: this consumer waits
    q.push(msg(1, 1, 2)); // handed over directly, and must carry the flag
    expect(summary((await pending).value as RawMessage)).toBe('1/1/2+1');
    const next = it.next();
    q.push(msg(1, 1, 3)); // the flag was used once
    expect(summary((await next).value as RawMessage)).toBe('1/1/3');
    await it.return?.();
  });

  it('pause: accepts everything, pauses once at capacity, resumes once at the low-water mark', async () => {
    const onPause = vi.fn();
    const onResume = vi.fn();
    const q = queue({ capacity: 4, lowWaterMark: 1, policy: 'pause', onPause, onResume });
    for (let s = 1; s <= 3; s++) q.push(msg(1, 1, s));
    expect(onPause).not.toHaveBeenCalled();
    q.push(msg(1, 1, 4));
    expect(onPause).toHaveBeenCalledTimes(1);
    expect(q.paused).toBe(true);
    for (let s = 5; s <= 40; s++) q.push(msg(1, 1, s)); // overshoot beyond capacity is kept
    expect(q.size).toBe(40);
    expect(q.dropped).toBe(0);
    expect(onPause).toHaveBeenCalledTimes(1);
    await take(q, 38); // size 2: still above the low-water mark
    expect(onResume).not.toHaveBeenCalled();
    expect(q.paused).toBe(true);
    await take(q, 1); // size 1
    expect(onResume).toHaveBeenCalledTimes(1);
    expect(q.paused).toBe(false);
    await take(q, 1);
    expect(onResume).toHaveBeenCalledTimes(1);
    for (let s = 41; s <= 43; s++) q.push(msg(1, 1, s));
    expect(onPause).toHaveBeenCalledTimes(1);
    q.push(msg(1, 1, 44));
    expect(onPause).toHaveBeenCalledTimes(2);
    const all = await take(q, 4);
    expect(all.map((m) => m.seq)).toEqual([41, 42, 43, 44]);
    expect(onResume).toHaveBeenCalledTimes(2);
  });
});

describe('OutputQueue: consumers', () => {
  it('a second concurrent consumer is a StateError', () => {
    const q = queue();
    const it = q.iterate();
    expect(() => q.iterate()).toThrow(StateError);
    expect(() => q.batches()).toThrow(StateError);
    try {
      q.iterate();
    } catch (error) {
      expect(isKalshiWsPoolError(error, 'KWP_STATE')).toBe(true);
    }
    void it.return?.();
    expect(() => q.iterate()).not.toThrow();
  });

  it('breaking out of for-await keeps the contents for the next consumer', async () => {
    const q = queue({ capacity: 100, lowWaterMark: 0 });
    for (let s = 1; s <= 10; s++) q.push(msg(1, 1, s));
    const first: number[] = [];
    for await (const m of q.iterate()) {
      first.push(m.seq!);
      if (first.length === 3) break;
    }
    expect(first).toEqual([1, 2, 3]);
    expect(q.size).toBe(7);
    q.end();
    const rest: number[] = [];
    for await (const m of q.iterate()) rest.push(m.seq!);
    expect(rest).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it('return() while waiting settles the pending next() as done; a stale iterator stays done', async () => {
    const q = queue();
    const it = q.iterate();
    const pending = it.next();
    await it.return?.();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    const second = q.iterate();
    q.push(msg(1, 1, 1));
    await expect(it.next()).resolves.toMatchObject({ done: true });
    expect(((await second.next()).value as RawMessage).seq).toBe(1);
  });

  it('end(): drains what is queued, then done; later pushes are ignored and counted', async () => {
    const q = queue();
    q.push(msg(1, 1, 1));
    q.push(msg(1, 1, 2));
    q.end();
    q.end();
    expect(q.ended).toBe(true);
    q.push(msg(1, 1, 3));
    expect(q.discarded).toBe(1);
    expect(q.dropped).toBe(0);
    const seen: number[] = [];
    for await (const m of q.iterate()) seen.push(m.seq!);
    expect(seen).toEqual([1, 2]);
    // A later consumer finishes at once.
    await expect(q.iterate().next()).resolves.toMatchObject({ done: true });
  });

  it('end() settles a waiting consumer as done', async () => {
    const q = queue();
    const consumer = (async () => {
      const seen: number[] = [];
      for await (const m of q.iterate()) seen.push(m.seq!);
      return seen;
    })();
    q.push(msg(1, 1, 1));
    await Promise.resolve();
    q.end();
    await expect(consumer).resolves.toEqual([1]);
  });

  it('abort(): a waiting consumer rejects with the error; queued messages are discarded', async () => {
    const q = queue();
    const error = new Error('boom');
    const it = q.iterate();
    const pending = it.next();
    q.abort(error);
    await expect(pending).rejects.toBe(error);
    await expect(it.next()).resolves.toMatchObject({ done: true });

    const q2 = queue();
    q2.push(msg(1, 1, 1));
    q2.abort(error);
    expect(q2.size).toBe(0);
    expect(q2.ended).toBe(true);
    const loop = (async () => {
      for await (const _ of q2.iterate()) throw new Error('nothing should be delivered');
    })();
    await expect(loop).rejects.toBe(error);
    q2.push(msg(1, 1, 2));
    expect(q2.discarded).toBe(1);
  });

  it('abort() while paused un-pauses the queue (mutation survivor)', () => {
    const onResume = vi.fn();
    const q = queue({ capacity: 2, lowWaterMark: 0, policy: 'pause', onResume });
    q.push(msg(1, 1, 1));
    q.push(msg(1, 1, 2));
    expect(q.paused).toBe(true);
    q.abort(new Error('boom'));
    expect(q.paused).toBe(false);
    expect(q.size).toBe(0);
    q.abort(new Error('second')); // idempotent
    expect(q.paused).toBe(false);
  });

  it('batches(): yields what is queued up to maxBatch, never waits to fill', async () => {
    const q = queue({ capacity: 2000, lowWaterMark: 0 });
    for (let s = 1; s <= 1000; s++) q.push(msg(1, 1, s));
    const it = q.batches(300);
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) sizes.push(((await it.next()).value as RawMessage[]).length);
    expect(sizes).toEqual([300, 300, 300, 100]);
    const pending = it.next();
    q.push(msg(1, 1, 1001));
    const batch = (await pending).value as RawMessage[];
    expect(batch.map((m) => m.seq)).toEqual([1001]);
    q.push(msg(1, 1, 1002));
    q.push(msg(1, 1, 1003));
    q.end();
    expect(((await it.next()).value as RawMessage[]).map((m) => m.seq)).toEqual([1002, 1003]);
    await expect(it.next()).resolves.toMatchObject({ done: true });
  });

  it('batches(): default 512 and drop flags applied', async () => {
    const q = queue({ capacity: 600, lowWaterMark: 0, policy: 'drop-oldest' });
    for (let s = 1; s <= 601; s++) q.push(msg(1, 1, s)); // evicts seq 1
    const it = q.batches();
    const first = (await it.next()).value as RawMessage[];
    expect(first.length).toBe(512);
    expect(summary(first[0]!)).toBe('1/1/2+1');
    expect(first.filter((m) => m.seqGap).length).toBe(1);
    expect(((await it.next()).value as RawMessage[]).length).toBe(88);
  });

  it('1e6 messages through push/consume finish quickly and in order', async () => {
    const q = queue({ capacity: 10_000, lowWaterMark: 5_000, policy: 'pause' });
    const total = 1_000_000;
    const started = performance.now();
    const consumer = (async () => {
      let count = 0;
      let ordered = true;
      for await (const m of q.iterate()) {
        if (m.seq !== count + 1) ordered = false;
        count++;
      }
      return { count, ordered };
    })();
    for (let s = 1; s <= total; s++) {
      q.push(msg(1, 1, s));
      if (q.paused) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    q.end();
    await expect(consumer).resolves.toEqual({ count: total, ordered: true });
    expect(q.dropped).toBe(0);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

/** A message of exactly `size` raw bytes on stream (1, sid 1) with the given seq. */
const sized = (size: number, seq: number): PoolMessage =>
  new PoolMessage(new Uint8Array(size), 1, 0, 'orderbook_delta', 1, seq, false, 0);

const budgetQueue = (options: Partial<OutputQueueOptions>): OutputQueue =>
  new OutputQueue({ capacity: 1_000, lowWaterMark: 500, policy: 'pause', ...options });

describe('OutputQueue: queue.maxBytes byte budget (#19)', () => {
  it('rejects a bad maxBytes with a ConfigError naming queue.maxBytes', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '100']) {
      expect(() => budgetQueue({ maxBytes: bad as number })).toThrow(ConfigError);
      expect(() => budgetQueue({ maxBytes: bad as number })).toThrow(/queue\.maxBytes/);
    }
  });

  it('drop-newest: a byte budget drops the incoming message long before the count limit', async () => {
    const q = budgetQueue({ policy: 'drop-newest', maxBytes: 1_000 });
    for (let seq = 1; seq <= 10; seq++) q.push(sized(300, seq));
    // 3 × 300 = 900 bytes fit; the 4th would make 1,200 > 1,000.
    expect(q.size).toBe(3);
    expect(q.bytes).toBe(900);
    expect(q.dropped).toBe(7);
    q.push(sized(10, 11)); // fits: 910 bytes
    const out = await take(q, 4);
    expect(out.map((m) => m.seq)).toEqual([1, 2, 3, 11]);
    expect(out[3]).toMatchObject({ seqGap: true, gapSize: 7 });
    expect(q.bytes).toBe(0);
  });

  it('drop-oldest: evicts from the head until the incoming message fits', async () => {
    const q = budgetQueue({ policy: 'drop-oldest', maxBytes: 1_000 });
    for (let seq = 1; seq <= 4; seq++) q.push(sized(300, seq)); // the 4th evicts the 1st
    q.push(sized(700, 5)); // needs 700: evicts 2 and 3, keeps 4 (300 + 700 = 1,000)
    expect(q.bytes).toBe(1_000);
    expect(q.dropped).toBe(3);
    const out = await take(q, 2);
    expect(out.map((m) => m.seq)).toEqual([4, 5]);
    expect(out[0]).toMatchObject({ seqGap: true, gapSize: 3 });
  });

  it('an empty queue takes a message larger than the whole budget', async () => {
    const q = budgetQueue({ policy: 'drop-newest', maxBytes: 100 });
    q.push(sized(500, 1));
    expect(q.size).toBe(1);
    q.push(sized(1, 2));
    expect(q.dropped).toBe(1);
    expect((await take(q, 1)).map((m) => m.seq)).toEqual([1]);
  });

  it('pause: pauses at the byte budget and resumes at half of it (and the low-water mark)', async () => {
    const events: string[] = [];
    const q = budgetQueue({ maxBytes: 1_000, onPause: () => events.push('pause'), onResume: () => events.push('resume') });
    for (let seq = 1; seq <= 9; seq++) q.push(sized(100, seq));
    expect(events).toEqual([]);
    q.push(sized(100, 10)); // 1,000 bytes
    expect(events).toEqual(['pause']);
    expect(q.paused).toBe(true);
    q.push(sized(100, 11)); // pause never drops: frames already read still arrive
    expect(q.size).toBe(11);
    await take(q, 5); // 600 bytes left
    expect(events).toEqual(['pause']);
    await take(q, 1); // 500 bytes = half the budget
    expect(events).toEqual(['pause', 'resume']);
    expect(q.dropped).toBe(0);
  });

  it('the manager option is off by default and validated up front', () => {
    expect(managerDefaults.queue.maxBytes).toBeUndefined();
    const build = (maxBytes: unknown) => () =>
      createConnectionManager({
        clientFactory: createFakeClientFactory().factory,
        registry: createMemoryRegistry([]),
        queue: { maxBytes: maxBytes as number },
      });
    expect(build(0)).toThrow(ConfigError);
    expect(build(-5)).toThrow(/queue\.maxBytes: must be an integer >= 1/);
    expect(build(64 * 1024 * 1024)).not.toThrow();
  });

  it('without maxBytes only the count bounds the queue', () => {
    const q = budgetQueue({ policy: 'drop-newest', capacity: 3, lowWaterMark: 1 });
    for (let seq = 1; seq <= 3; seq++) q.push(sized(1_000_000, seq));
    expect(q.size).toBe(3);
    expect(q.dropped).toBe(0);
  });
});

describe('OutputQueue: AbortSignal on iteration (#14)', () => {
  it('aborting ends a waiting loop as done, keeps the queue, and frees it for the next consumer', async () => {
    const q = budgetQueue({});
    const controller = new AbortController();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const m of q.iterate(controller.signal)) seen.push(m.seq!);
      return 'ended';
    })();
    q.push(sized(1, 1));
    await expect.poll(() => seen).toEqual([1]);
    controller.abort();
    await expect(loop).resolves.toBe('ended');
    q.push(sized(1, 2));
    q.push(sized(1, 3));
    expect(q.size).toBe(2);
    // Nothing was lost and nothing is locked: a new consumer reads on.
    expect((await take(q, 2)).map((m) => m.seq)).toEqual([2, 3]);
  });

  it('batches(maxBatch, signal) ends the same way', async () => {
    const q = budgetQueue({});
    const controller = new AbortController();
    const it = q.batches(10, controller.signal);
    const pending = it.next();
    controller.abort();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(() => q.iterate()).not.toThrow(StateError);
  });

  it('an already aborted signal gives an ended iterator and claims nothing', async () => {
    const q = budgetQueue({});
    q.push(sized(1, 1));
    const it = q.iterate(AbortSignal.abort());
    await expect(it.next()).resolves.toMatchObject({ done: true });
    expect(q.size).toBe(1);
    expect((await take(q, 1)).map((m) => m.seq)).toEqual([1]);
  });

  it('removes its abort listener when the loop ends another way (no leak)', async () => {
    const q = budgetQueue({});
    const counted = countedSignal();
    const signal = counted.signal;
    const listeners = counted.listeners;
    const it = q.iterate(signal);
    expect(listeners()).toBe(1);
    await it.return?.();
    expect(listeners()).toBe(0);
    const again = q.iterate(signal);
    q.end();
    await expect(again.next()).resolves.toMatchObject({ done: true });
    expect(listeners()).toBe(0);
  });
});
