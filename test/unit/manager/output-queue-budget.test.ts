import { describe, expect, it } from 'vitest';
import { ConfigError, StateError, createConnectionManager, createMemoryRegistry, managerDefaults } from 'kalshi-ws-pool';
import { createFakeClientFactory } from 'kalshi-ws-pool/testing';
import type { RawMessage } from 'kalshi-ws-pool';
import { OutputQueue } from '../../../src/manager/output-queue';
import type { OutputQueueOptions } from '../../../src/manager/output-queue';
import { PoolMessage } from '../../../src/manager/pool-message';

/** A message of exactly `size` raw bytes on stream (1, sid 1) with the given seq. */
const sized = (size: number, seq: number): PoolMessage =>
  new PoolMessage(new Uint8Array(size), 1, 0, 'orderbook_delta', 1, seq, false, 0);

const queue = (options: Partial<OutputQueueOptions>): OutputQueue =>
  new OutputQueue({ capacity: 1_000, lowWaterMark: 500, policy: 'pause', ...options });

async function drain(q: OutputQueue, count: number): Promise<RawMessage[]> {
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

describe('OutputQueue: queue.maxBytes byte budget (#19)', () => {
  it('rejects a bad maxBytes with a ConfigError naming queue.maxBytes', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '100']) {
      expect(() => queue({ maxBytes: bad as number })).toThrow(ConfigError);
      expect(() => queue({ maxBytes: bad as number })).toThrow(/queue\.maxBytes/);
    }
  });

  it('drop-newest: a byte budget drops the incoming message long before the count limit', async () => {
    const q = queue({ policy: 'drop-newest', maxBytes: 1_000 });
    for (let seq = 1; seq <= 10; seq++) q.push(sized(300, seq));
    // 3 × 300 = 900 bytes fit; the 4th would make 1,200 > 1,000.
    expect(q.size).toBe(3);
    expect(q.bytes).toBe(900);
    expect(q.dropped).toBe(7);
    q.push(sized(10, 11)); // fits: 910 bytes
    const out = await drain(q, 4);
    expect(out.map((m) => m.seq)).toEqual([1, 2, 3, 11]);
    expect(out[3]).toMatchObject({ seqGap: true, gapSize: 7 });
    expect(q.bytes).toBe(0);
  });

  it('drop-oldest: evicts from the head until the incoming message fits', async () => {
    const q = queue({ policy: 'drop-oldest', maxBytes: 1_000 });
    for (let seq = 1; seq <= 4; seq++) q.push(sized(300, seq)); // the 4th evicts the 1st
    q.push(sized(700, 5)); // needs 700: evicts 2 and 3, keeps 4 (300 + 700 = 1,000)
    expect(q.bytes).toBe(1_000);
    expect(q.dropped).toBe(3);
    const out = await drain(q, 2);
    expect(out.map((m) => m.seq)).toEqual([4, 5]);
    expect(out[0]).toMatchObject({ seqGap: true, gapSize: 3 });
  });

  it('an empty queue takes a message larger than the whole budget', async () => {
    const q = queue({ policy: 'drop-newest', maxBytes: 100 });
    q.push(sized(500, 1));
    expect(q.size).toBe(1);
    q.push(sized(1, 2));
    expect(q.dropped).toBe(1);
    expect((await drain(q, 1)).map((m) => m.seq)).toEqual([1]);
  });

  it('pause: pauses at the byte budget and resumes at half of it (and the low-water mark)', async () => {
    const events: string[] = [];
    const q = queue({ maxBytes: 1_000, onPause: () => events.push('pause'), onResume: () => events.push('resume') });
    for (let seq = 1; seq <= 9; seq++) q.push(sized(100, seq));
    expect(events).toEqual([]);
    q.push(sized(100, 10)); // 1,000 bytes
    expect(events).toEqual(['pause']);
    expect(q.paused).toBe(true);
    q.push(sized(100, 11)); // pause never drops: frames already read still arrive
    expect(q.size).toBe(11);
    await drain(q, 5); // 600 bytes left
    expect(events).toEqual(['pause']);
    await drain(q, 1); // 500 bytes = half the budget
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
    const q = queue({ policy: 'drop-newest', capacity: 3, lowWaterMark: 1 });
    for (let seq = 1; seq <= 3; seq++) q.push(sized(1_000_000, seq));
    expect(q.size).toBe(3);
    expect(q.dropped).toBe(0);
  });
});

describe('OutputQueue: AbortSignal on iteration (#14)', () => {
  it('aborting ends a waiting loop as done, keeps the queue, and frees it for the next consumer', async () => {
    const q = queue({});
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
    expect((await drain(q, 2)).map((m) => m.seq)).toEqual([2, 3]);
  });

  it('batches(maxBatch, signal) ends the same way', async () => {
    const q = queue({});
    const controller = new AbortController();
    const it = q.batches(10, controller.signal);
    const pending = it.next();
    controller.abort();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(() => q.iterate()).not.toThrow(StateError);
  });

  it('an already aborted signal gives an ended iterator and claims nothing', async () => {
    const q = queue({});
    q.push(sized(1, 1));
    const it = q.iterate(AbortSignal.abort());
    await expect(it.next()).resolves.toMatchObject({ done: true });
    expect(q.size).toBe(1);
    expect((await drain(q, 1)).map((m) => m.seq)).toEqual([1]);
  });

  it('removes its abort listener when the loop ends another way (no leak)', async () => {
    const q = queue({});
    const controller = new AbortController();
    let listeners = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof signal.removeEventListener;
    const it = q.iterate(signal);
    expect(listeners).toBe(1);
    await it.return?.();
    expect(listeners).toBe(0);
    const again = q.iterate(signal);
    q.end();
    await expect(again.next()).resolves.toMatchObject({ done: true });
    expect(listeners).toBe(0);
  });
});
