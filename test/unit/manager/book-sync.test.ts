import { ClosedError, CommandTimeoutError } from 'kalshi-ws-pool';
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
  const pool: BookSyncPool & { stopped: boolean } = {
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
    await idle();
  };
  /** Wait for the loop to go idle. */
  const idle = (): Promise<void> => vi.waitFor(() => expect(sync.running).toBe(false), { timeout: 2_000, interval: 1 });
  return { host, client: host.client, clock, pause, limiter, events, logger, pool, rejected, full, sync, want, idle };
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

/** A promise the test settles by hand. */
function gate(): { readonly promise: Promise<void>; readonly open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets every pending microtask and one macrotask run (a second loop, if one was started, ends meanwhile). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('BookSync: one loop per slot', () => {
  it('flush() while a command is in flight does not start a second loop', async () => {
    const { host, client, sync, idle } = setup(10);
    const reply = gate();
    client.reply = () => reply.promise;
    host.book.want('A');
    sync.flush();
    await vi.waitFor(() => expect(client.sent).toHaveLength(1), { timeout: 2_000, interval: 1 });
    host.book.want('B');
    sync.flush();
    await settle();
    expect(sync.running).toBe(true);
    expect(client.sent).toHaveLength(1);
    client.reply = () => undefined;
    reply.open();
    await idle();
    expect(client.batches()).toEqual([['A'], ['B']]);
    expect(host.book.held).toBe(2);
  });

  it('a flush during a command whose connection ends runs the loop again on the next connection', async () => {
    const { host, client, sync, want } = setup(10);
    client.reply = (c) => {
      if (host.generation === 1) {
        // The connection is replaced while the subscribe waits; the slot starts the new generation over.
        host.reopen();
        host.book.reset();
        sync.reset();
        sync.flush();
        throw new ClosedError(`closed while ${c.cmd} was pending`);
      }
    };
    await want('A');
    expect(client.batches('subscribe')).toEqual([['A'], ['A']]);
    expect(host.book.held).toBe(1);
    expect(host.book.inSync()).toBe(true);
  });

  it('ends when its connection ends while waiting for reads to resume', async () => {
    const { host, client, pause, sync, logger } = setup(10);
    pause.pause();
    host.book.want('A');
    sync.flush();
    await vi.waitFor(() => expect(pause.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    host.reopen(); // no flush: the next generation starts its own loop when the slot restores it
    await settle();
    expect(sync.running).toBe(false);
    expect(pause.waiting).toBe(0);
    pause.resume();
    await settle();
    expect(client.sent).toEqual([]);
    expect(logger.entries).toEqual([]);
  });

  it('an unexpected error ends the loop and is logged once at error level, never thrown', async () => {
    const { host, client, logger, sync, idle } = setup(10);
    const boom = new Error('boom');
    host.live = () => {
      throw boom;
    };
    host.book.want('A');
    sync.flush();
    await idle();
    expect(logger.entries).toEqual([{ level: 'error', fields: { connectionId: 7, err: boom }, message: 'book sync failed' }]);
    expect(client.sent).toEqual([]);
    // The next flush runs the loop again.
    host.live = FakeOrderbookHost.prototype.live.bind(host);
    sync.flush();
    await idle();
    expect(client.batches('subscribe')).toEqual([['A']]);
  });
});

describe('BookSync: reset() for a new generation', () => {
  it('restores the full batch size and forgets a pending unsubscribe of the old connection', async () => {
    const { host, client, limiter, sync, want, idle } = setup(4);
    await want('A');
    client.reply = (c) => {
      if (c.action === 'add_markets' && c.tickers.length === 4) {
        limiter.gate(); // the halved retry waits for a token
        throw rejection(11);
      }
    };
    for (const ticker of ['B', 'C', 'D', 'E']) host.book.want(ticker);
    sync.flush();
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    sync.resubscribe(1); // a lost sid, to unsubscribe before the next subscribe on this connection
    host.end(); // the token wait is aborted: the loop ends
    await idle();
    host.reopen();
    host.book.reset();
    sync.reset();
    limiter.grant();
    client.reply = () => undefined;
    const before = client.sent.length;
    sync.flush();
    await idle();
    // A full batch, and no unsubscribe of sid 1 (it belonged to the closed connection).
    expect(client.sent.slice(before).map((c) => [c.cmd, c.tickers])).toEqual([['subscribe', ['A', 'B', 'C', 'D']], ['update_subscription', ['E']]]);
  });

  it('restarts the retry count: a market failing after reset() gets its three retries again', async () => {
    const { host, client, clock, limiter, rejected, sync, idle } = setup(10);
    client.reply = (c) => {
      if (client.sent.length === 2) limiter.gate(); // after the second failure the retry waits for a token
      if (c.tickers.includes('X')) throw rejection(11);
    };
    host.book.want('X');
    sync.flush();
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    expect(clock.delays).toEqual([10, 20]);
    host.reopen();
    await idle();
    host.book.reset();
    sync.reset();
    limiter.grant();
    sync.flush();
    await idle();
    expect(clock.delays).toEqual([10, 20, 10, 20, 40]);
    expect(client.batches()).toHaveLength(6);
    expect(rejected).toEqual([['X']]);
  });
});

describe('BookSync: unsubscribing a lost sid', () => {
  it('passes the connection signal to every command, so closing the connection aborts it', async () => {
    const { host, client, sync, want } = setup(10);
    const signals: [string, AbortSignal | undefined][] = [];
    const subscribe = client.subscribe.bind(client);
    const unsubscribe = client.unsubscribe.bind(client);
    const update = client.updateSubscription.bind(client);
    client.subscribe = (channels, tickers, options) => {
      signals.push(['subscribe', options?.signal]);
      return subscribe(channels, tickers, options);
    };
    client.unsubscribe = (sids, options) => {
      signals.push(['unsubscribe', options?.signal]);
      return unsubscribe(sids, options);
    };
    client.updateSubscription = (sid, action, tickers, options) => {
      signals.push([action, options?.signal]);
      return update(sid, action, tickers, options);
    };
    const { signal } = host.live()!;
    await want('A');
    await want('B');
    sync.resubscribe(1);
    await want();
    expect(signals).toEqual([
      ['subscribe', signal],
      ['add_markets', signal],
      ['unsubscribe', signal],
      ['subscribe', signal],
    ]);
  });

  it('a failed unsubscribe is logged at debug level and ignored: the markets are subscribed again', async () => {
    const { host, client, logger, sync, want } = setup(10);
    await want('A');
    const refused = rejection(7, 1);
    client.reply = (c) => {
      if (c.cmd === 'unsubscribe') throw refused;
    };
    sync.resubscribe(1);
    await want();
    expect(client.sent.map((c) => c.cmd)).toEqual(['subscribe', 'unsubscribe', 'subscribe']);
    expect(host.book.sid).toBe(2);
    expect(host.book.held).toBe(1);
    expect(logger.entries).toEqual([
      { level: 'debug', fields: { connectionId: 7, sid: 1, err: refused }, message: 'unsubscribe of a lost sid failed (ignored)' },
    ]);
  });

  it('an unsubscribe ended by its connection (ClosedError) stops the loop without a log line', async () => {
    const { host, client, limiter, logger, sync, want, idle } = setup(10);
    await want('A');
    client.reply = (c) => {
      if (c.cmd === 'unsubscribe') throw new ClosedError('connection closed while the command was pending');
    };
    sync.resubscribe(1);
    await idle();
    expect(client.sent.map((c) => c.cmd)).toEqual(['subscribe', 'unsubscribe']);
    expect(limiter.tokens).toBe(2);
    expect(host.book.pendingAdds).toBe(1); // subscribed again by the next generation
    expect(logger.entries).toEqual([]);
  });
});

describe('BookSync: replies and snapshot expectations', () => {
  it('a command ended by its connection (ClosedError) stops the loop; its markets wait for the next generation', async () => {
    const { host, client, limiter, logger, events, want } = setup(10);
    await want('A');
    client.reply = () => {
      throw new ClosedError('connection closed while the command was pending');
    };
    await want('B');
    expect(client.batches('add_markets')).toEqual([['B']]);
    expect(limiter.tokens).toBe(2);
    expect(host.book.pendingAdds).toBe(1);
    expect(host.book.wanted).toBe(2);
    expect(logger.entries).toEqual([]);
    expect(events.events).toEqual([]);
  });

  it('a command that timed out while reads were paused is sent again after the resume, without a backoff', async () => {
    const { host, client, clock, pause, logger, events, sync, idle } = setup(10);
    client.reply = () => {
      if (client.sent.length === 1) {
        pause.pause(); // reads paused while the reply was on its way: it was never read
        throw new CommandTimeoutError('subscribe', 1, 5_000);
      }
    };
    host.book.want('A');
    host.book.want('B');
    sync.flush();
    await vi.waitFor(() => expect(pause.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    expect(sync.running).toBe(true);
    expect(client.sent).toHaveLength(1);
    expect(host.book.pendingAdds).toBe(2);
    pause.resume();
    await idle();
    expect(client.batches('subscribe')).toEqual([['A', 'B'], ['A', 'B']]);
    expect(host.book.held).toBe(2);
    expect(clock.delays).toEqual([]);
    expect(events.events).toEqual([]);
    expect(logger.entries).toEqual([
      { level: 'debug', fields: { connectionId: 7, action: 'subscribe', markets: 2 }, message: 'command timed out while reads were paused; retrying' },
    ]);
  });

  it('an add whose sid was lost while it waited for a token is not sent and expects no snapshots', async () => {
    const { host, client, limiter, sync, want, idle } = setup(10);
    await want('A');
    const expected = vi.spyOn(host.snapshots, 'expect');
    limiter.gate();
    host.book.want('B');
    sync.flush();
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    sync.resubscribe(1); // error 10 on sid 1 meanwhile: the book starts over without a sid
    limiter.grant();
    await idle();
    expect(client.sent.map((c) => [c.cmd, c.sid])).toEqual([
      ['subscribe', undefined],
      ['unsubscribe', 1],
      ['subscribe', undefined],
    ]);
    expect(client.batches('subscribe')[1]).toEqual(['A', 'B']);
    expect(expected.mock.calls.map((call) => call[2])).toEqual([2]); // the new subscribe's two markets only
  });

  it('expects one snapshot per market added, counted from the send; a removal expects none', async () => {
    const { host, client, clock, sync, want } = setup(10);
    const expected = vi.spyOn(host.snapshots, 'expect');
    clock.advance(1_000);
    client.reply = (c) => {
      // The first snapshot arrives before the reply settles, and the reply takes 500 ms.
      if (c.cmd === 'subscribe') host.snapshots.received++;
      clock.advance(500);
    };
    await want('A', 'B');
    expect(expected.mock.calls).toEqual([[1_000, 0, 2]]);
    expect(host.snapshots.short).toBe(true); // one of two
    host.snapshots.received++;
    expect(host.snapshots.short).toBe(false);
    await want('C', 'D', 'E');
    expect(expected.mock.calls).toEqual([
      [1_000, 0, 2],
      [1_500, 2, 3],
    ]);
    host.book.unwant('A');
    sync.flush();
    await want();
    expect(client.sent.at(-1)).toMatchObject({ action: 'delete_markets', tickers: ['A'] });
    expect(expected).toHaveBeenCalledTimes(2);
  });

  it('a reply that settles after its connection closed sets no snapshot expectation', async () => {
    const { host, client, sync, want } = setup(10);
    const expected = vi.spyOn(host.snapshots, 'expect');
    /** The reply arrives, then the connection closes before the loop sees it; the slot resets its book. */
    const closeAfterReply = (): void => {
      host.end();
      host.book.reset();
      host.snapshots.reset();
    };
    client.reply = closeAfterReply;
    await want('A');
    expect(client.sent).toHaveLength(1);
    expect(expected).not.toHaveBeenCalled();
    expect(host.snapshots.waiting).toBe(false);
    // The same for an add_markets, on the next connection.
    host.reopen();
    sync.reset();
    client.reply = () => undefined;
    await want();
    expect(host.book.sid).toBe(2);
    expect(expected).toHaveBeenCalledTimes(1);
    client.reply = closeAfterReply;
    await want('B');
    expect(client.sent.at(-1)).toMatchObject({ action: 'add_markets', tickers: ['B'] });
    expect(expected).toHaveBeenCalledTimes(1);
    expect(host.snapshots.waiting).toBe(false);
  });

  it('a new sid the slot did not adopt (lost before the reply settled) is unsubscribed and subscribed again', async () => {
    const { host, client, sync, want } = setup(10);
    host.onResubscribe = (sid) => sync.resubscribe(sid);
    const expected = vi.spyOn(host.snapshots, 'expect');
    host.adopted = (sid) => sid !== 1;
    await want('A');
    expect(client.sent.map((c) => [c.cmd, c.sid])).toEqual([
      ['subscribe', undefined],
      ['unsubscribe', 1],
      ['subscribe', undefined],
    ]);
    expect(host.book.sid).toBe(2);
    expect(expected.mock.calls.map((call) => call[2])).toEqual([1]); // for sid 2 only
  });

  it('a successful add restores the batch size halved by a rejection; a successful removal does not', async () => {
    const { host, client, want } = setup(4);
    await want('A');
    let first = true;
    client.reply = (c) => {
      if (c.action === 'add_markets' && first) {
        first = false;
        host.book.unwant('A'); // a removal is now pending: it goes before the retried adds
        throw rejection(11);
      }
    };
    await want('B', 'C', 'D', 'E', 'F', 'G');
    expect(client.sent.slice(1).map((c) => [c.action, c.tickers])).toEqual([
      ['add_markets', ['B', 'C', 'D', 'E']],
      ['delete_markets', ['A']],
      ['add_markets', ['F', 'G']], // still halved after the removal
      ['add_markets', ['B', 'C', 'D', 'E']], // full again after an add succeeded
    ]);
    expect(host.book.held).toBe(6);
  });
});

describe('BookSync: rejections', () => {
  it('a rejected removal is dropped at once (no retries) and reported; nothing counts as a rejected market', async () => {
    const { host, client, clock, events, logger, pool, rejected, want } = setup(10);
    await want('A');
    const refused = rejection(11, 1);
    client.reply = (c) => {
      if (c.action === 'delete_markets') {
        host.book.want('B'); // an add waits behind the removal
        throw refused;
      }
    };
    host.book.unwant('A');
    await want();
    expect(client.sent.slice(1).map((c) => [c.action, c.tickers])).toEqual([
      ['delete_markets', ['A']],
      ['add_markets', ['B']],
    ]);
    expect(clock.delays).toEqual([]);
    expect(host.book.held).toBe(1);
    expect(rejected).toEqual([]);
    expect(pool.counters.marketsRejected).toBe(0);
    expect(events.of('error')).toEqual([{ connectionId: 7, error: refused, fatal: false }]);
    expect(logger.entries).toEqual([
      { level: 'error', fields: { connectionId: 7, action: 'delete_markets', markets: 1, err: refused }, message: 'command failed; dropped' },
    ]);
  });

  it('a removal that keeps timing out is retried three times, then the connection is recycled', async () => {
    const { host, client, clock, events, logger, want } = setup(10);
    await want('A');
    const timeout = new CommandTimeoutError('update_subscription', 2, 5_000);
    client.reply = (c) => {
      if (c.action === 'delete_markets') throw timeout;
    };
    host.book.unwant('A');
    await want();
    expect(client.batches('delete_markets')).toHaveLength(4);
    expect(clock.delays).toEqual([10, 20, 40]);
    expect(host.recycled).toEqual([1]);
    expect(events.of('error')).toEqual([{ connectionId: 7, error: timeout, fatal: false }]);
    const retrying = { level: 'warn', fields: { connectionId: 7, action: 'delete_markets', markets: 1, err: timeout }, message: 'command failed; retrying' };
    expect(logger.entries).toEqual([
      retrying,
      retrying,
      retrying,
      { level: 'error', fields: { connectionId: 7, action: 'delete_markets', markets: 1, err: timeout }, message: 'commands keep timing out; reconnecting' },
    ]);
  });

  it('a split batch is logged with its size and code', async () => {
    const { client, logger, want } = setup(4);
    client.reply = (c) => {
      if (c.tickers.length === 2) throw rejection(11);
    };
    await want('A', 'B');
    expect(client.batches()).toEqual([['A', 'B'], ['A'], ['B']]);
    expect(logger.entries).toEqual([{ level: 'warn', fields: { connectionId: 7, kalshiCode: 11, markets: 2 }, message: 'batch rejected; splitting it' }]);
  });

  it('error 27 is logged with the hold applied', async () => {
    const { client, logger, want } = setup(10);
    let first = true;
    client.reply = () => {
      if (first) {
        first = false;
        throw rejection(27);
      }
    };
    await want('A');
    expect(logger.entries).toEqual([{ level: 'warn', fields: { connectionId: 7, kalshiCode: 27, delayMs: 10 }, message: 'command rate limited; backing off' }]);
  });

  it('error 9 is logged and reported as non-fatal, and the connection is recycled with the batch kept', async () => {
    const { host, client, events, logger, want } = setup(10);
    const refused = rejection(9);
    client.reply = () => {
      throw refused;
    };
    await want('A');
    expect(host.recycled).toEqual([1]);
    expect(host.book.pendingAdds).toBe(1);
    expect(events.of('error')).toEqual([{ connectionId: 7, error: refused, fatal: false }]);
    expect(logger.entries).toEqual([
      { level: 'error', fields: { connectionId: 7, kalshiCode: 9 }, message: 'Kalshi asked for authentication; reconnecting with a fresh signature' },
    ]);
  });

  it('a resubscribe error names the sid to retire; without one, the book sid; without either, the batch is retried', async () => {
    const { host, client, want } = setup(10);
    await want('A');
    client.reply = (c) => {
      if (c.action !== 'add_markets') return;
      const count = client.batches('add_markets').length;
      if (count === 1) throw rejection(10, 5); // names sid 5
      if (count === 2) throw rejection(10); // names no sid
    };
    await want('B');
    expect(host.resubscribed).toEqual([
      [5, 10],
      [1, 10],
    ]);
    expect(client.batches('add_markets')).toEqual([['B'], ['B'], ['B']]);

    // A subscribe rejected before any sid exists: nothing to retire, the subscribe goes again.
    const fresh = setup(10);
    let once = true;
    fresh.client.reply = () => {
      if (once) {
        once = false;
        throw rejection(25);
      }
    };
    await fresh.want('X');
    expect(fresh.host.resubscribed).toEqual([]);
    expect(fresh.client.batches('subscribe')).toEqual([['X'], ['X']]);
    expect(fresh.host.book.held).toBe(1);
  });

  it('a subscribe that keeps being refused before any sid exists is retried on the growing command backoff', async () => {
    const { host, client, clock, want } = setup(10);
    let refusals = 4;
    client.reply = (c) => {
      if (c.cmd === 'subscribe' && refusals-- > 0) throw rejection(7);
    };
    await want('X');
    expect(client.batches('subscribe')).toEqual([['X'], ['X'], ['X'], ['X'], ['X']]);
    expect(host.resubscribed).toEqual([]);
    expect(host.book.held).toBe(1);
    // One wait per refusal, each at least as long as the one before (jitter aside, the backoff doubles).
    expect(clock.delays).toHaveLength(4);
    expect(clock.delays.every((ms) => ms > 0)).toBe(true);
    expect(clock.delays[3]!).toBeGreaterThan(clock.delays[0]!);
  });

  it('a client whose subscribe returns no result fails the command: retried, then reported, never stuck', async () => {
    const { host, client, events, rejected, want } = setup(10);
    client.noSubscribeResult = true;
    await want('X');
    expect(client.batches('subscribe')).toEqual([['X'], ['X'], ['X'], ['X']]); // three retries, then dropped
    expect(rejected).toEqual([['X']]);
    const errors = events.of('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error).toMatchObject({ code: 'KWP_PROTOCOL', reason: 'malformed-reply' });
    // The loop is free: a later market is sent as soon as the client keeps its contract again.
    client.noSubscribeResult = false;
    await want('Y');
    expect(client.batches('subscribe').at(-1)).toEqual(['Y']);
    expect(host.book.held).toBe(1);
  });

  it('error 26 on one market leaves the loop running: removals still pending are sent', async () => {
    const { host, client, full, want } = setup(10);
    await want('A');
    client.reply = (c) => {
      if (c.action === 'add_markets') {
        host.book.unwant('A'); // a removal becomes pending while the add is rejected
        throw rejection(26);
      }
    };
    await want('B');
    expect(full).toEqual([{ connectionId: 7, held: ['A'], rejected: 1 }]);
    expect(client.sent.slice(1).map((c) => [c.action, c.tickers])).toEqual([
      ['add_markets', ['B']],
      ['delete_markets', ['A']],
    ]);
    expect(host.book.held).toBe(0);
  });
});

