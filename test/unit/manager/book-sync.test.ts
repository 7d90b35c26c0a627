import { CommandTimeoutError } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { BookSync } from '../../../src/manager/book-sync';
import type { BookSyncPool } from '../../../src/manager/book-sync';
import { CommandRunner } from '../../../src/manager/command-runner';
import { EventLog, FakeLimiter, FakeOrderbookHost, FakePause, ManualClock, fakeRunnerPorts, recordingLogger, rejection } from './fakes/ports';

/** BookSync over a fake slot and a fake pool whose placement owner records what it was told. */
function setup(maxTickersPerCommand: number) {
  const host = new FakeOrderbookHost(7);
  const clock = new ManualClock(true);
  const pause = new FakePause();
  const limiter = new FakeLimiter();
  const events = new EventLog();
  const logger = recordingLogger();
  const rejected: string[][] = [];
  const full: { connectionId: number; held: string[]; rejected: number }[] = [];
  const pool: BookSyncPool = {
    options: { maxTickersPerCommand },
    clock,
    logger,
    counters: { marketsRejected: 0 },
    emit: events.emit,
    stopped: false,
    get paused() {
      return pause.paused;
    },
    whenResumed: (signal) => pause.whenResumed(signal),
    marketsRejected: (tickers) => void rejected.push([...tickers]),
    slotFull: (connectionId, held, count) => {
      full.push({ connectionId, held: [...held], rejected: count });
      // As the real owner does: every market placed here but not held leaves this slot's book.
      for (const ticker of wanted) if (!held.includes(ticker)) host.book.unwant(ticker);
    },
  };
  const wanted: string[] = [];
  const sync = new BookSync(host, pool, new CommandRunner(fakeRunnerPorts(clock, limiter, pause), host));
  /** Want markets, flush, and wait for the loop to go idle. */
  const want = async (...tickers: string[]): Promise<void> => {
    for (const ticker of tickers) {
      wanted.push(ticker);
      host.book.want(ticker);
    }
    sync.flush();
    await vi.waitFor(() => expect(sync.running).toBe(false), { timeout: 2_000, interval: 1 });
  };
  return { host, client: host.client, clock, pause, limiter, events, logger, pool, rejected, full, sync, want };
}

describe('BookSync (through its port)', () => {
  it('sends adds in batches of maxTickersPerCommand, subscribing first, one token each', async () => {
    const { host, client, limiter, want } = setup(3);
    await want('A', 'B', 'C', 'D', 'E', 'F', 'G');
    expect(client.sent.map((c) => c.action ?? c.cmd)).toEqual(['subscribe', 'add_markets', 'add_markets']);
    expect(client.batches()).toEqual([['A', 'B', 'C'], ['D', 'E', 'F'], ['G']]);
    expect(client.sent.slice(1).every((c) => c.sid === 1)).toBe(true);
    expect(limiter.tokens).toBe(3);
    expect(host.book.held).toBe(7);
    expect(host.book.inSync()).toBe(true);
    expect(host.snapshots.waiting).toBe(true); // 7 snapshots now owed
  });

  it('splits a rejected batch until the bad market is alone, retries it, then tells the placement owner', async () => {
    const { host, client, clock, events, pool, rejected, want } = setup(4);
    client.reply = (c) => {
      if (c.tickers.includes('BAD')) throw rejection(11);
    };
    await want('A', 'B', 'BAD', 'C');
    expect(client.batches()).toEqual([
      ['A', 'B', 'BAD', 'C'],
      ['A', 'B'], // halved; a success restores the full batch size
      ['BAD', 'C'],
      ['BAD'], // alone: retried on the command backoff, behind the markets waiting
      ['C'], // a success resets the failure count
      ['BAD'],
      ['BAD'],
      ['BAD'],
      ['BAD'], // three retries, then dropped
    ]);
    expect(clock.delays).toEqual([10, 10, 20, 40]);
    expect(rejected).toEqual([['BAD']]);
    expect(pool.counters.marketsRejected).toBe(1);
    expect(events.of('error')).toHaveLength(1);
    expect(events.of('error')[0]).toMatchObject({ connectionId: 7, fatal: false });
    expect([...host.book.heldTickers()].sort()).toEqual(['A', 'B', 'C']);
    expect(host.book.wanted).toBe(3);
  });

  it('error 26: halves the batch, then calls the slot full through the placement owner at what it holds', async () => {
    const { host, client, full, want } = setup(4);
    await want('A');
    client.reply = (c) => {
      if (c.action === 'add_markets') throw rejection(26);
    };
    await want('B', 'C', 'D', 'E');
    // A retried batch goes behind the markets waiting, so the single market that hits 26 is D.
    expect(client.batches('add_markets')).toEqual([['B', 'C', 'D', 'E'], ['B', 'C'], ['D']]);
    expect(full).toEqual([{ connectionId: 7, held: ['A'], rejected: 1 }]);
    expect(host.book.held).toBe(1);
    expect(host.book.wanted).toBe(1);
    // The batch size is back to maxTickersPerCommand for the next adds.
    client.reply = () => undefined;
    await want('F', 'G', 'H', 'I', 'J');
    expect(client.batches('add_markets').slice(3)).toEqual([['F', 'G', 'H', 'I'], ['J']]);
  });

  it('error 27 holds the pool-wide limiter on the command backoff and retries the batch', async () => {
    const { host, client, limiter, logger, want } = setup(10);
    await want('A');
    let first = true;
    client.reply = (c) => {
      if (c.action === 'add_markets' && first) {
        first = false;
        throw rejection(27);
      }
    };
    await want('B', 'C');
    expect(limiter.holds).toEqual([10]);
    expect(client.batches('add_markets')).toEqual([['B', 'C'], ['B', 'C']]);
    expect(host.book.held).toBe(3);
    expect(logger.entries.filter((e) => e.message === 'command rate limited; backing off')).toHaveLength(1);
  });

  it('error 10 on the sid asks the slot to resubscribe; the old sid is unsubscribed and the book subscribed again', async () => {
    const { host, client, sync, want } = setup(10);
    host.onResubscribe = (sid) => sync.resubscribe(sid); // what the slot does for its orderbook sid
    await want('A');
    client.reply = (c) => {
      if (c.action === 'add_markets' && c.sid === 1) throw rejection(10, 1);
    };
    await want('B');
    expect(host.resubscribed).toEqual([[1, 10]]);
    expect(client.sent.map((c) => [c.action ?? c.cmd, c.sid])).toEqual([
      ['subscribe', undefined],
      ['add_markets', 1],
      ['unsubscribe', 1],
      ['subscribe', undefined],
    ]);
    expect(client.batches('subscribe')[1]).toEqual(['A', 'B']);
    expect(host.book.sid).toBe(2);
    expect(host.book.held).toBe(2);
  });

  it('commands that keep timing out recycle the connection instead of dropping markets', async () => {
    const { host, client, events, rejected, want } = setup(10);
    await want('A');
    client.reply = (c) => {
      if (c.action === 'add_markets') throw new CommandTimeoutError('update_subscription', 2, 5_000);
    };
    await want('B');
    expect(client.batches('add_markets')).toHaveLength(4);
    expect(host.recycled).toEqual([1]);
    expect(host.live()).toBeUndefined();
    expect(rejected).toEqual([]);
    expect(host.book.wanted).toBe(2);
    expect(events.of('error')).toHaveLength(1);
  });

  it('waits for socket reads to resume before sending (a paused reply could not be seen)', async () => {
    const { host, client, pause, sync } = setup(10);
    pause.pause();
    host.book.want('A');
    sync.flush();
    await vi.waitFor(() => expect(pause.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    expect(client.sent).toEqual([]);
    pause.resume();
    await vi.waitFor(() => expect(host.book.held).toBe(1), { timeout: 2_000, interval: 1 });
    expect(client.batches('subscribe')).toEqual([['A']]);
  });
});
