import { ClosedError, CommandTimeoutError } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { CommandRunner } from '../../../src/manager/command-runner';
import { SidRepair } from '../../../src/manager/repair';
import type { SidRepairPool } from '../../../src/manager/repair';
import { EventLog, FakeLimiter, FakeOrderbookHost, FakePause, ManualClock, fakeRunnerPorts, recordingLogger, rejection } from './fakes/ports';

const MARKETS = ['A', 'B', 'C', 'D', 'E'];

/** SidRepair over a fake slot whose book holds MARKETS on sid 1, and a fake pool. */
function setup(enabled = true) {
  const host = new FakeOrderbookHost(7);
  for (const ticker of MARKETS) host.book.want(ticker);
  host.book.succeeded(host.book.next(100)!, 1);
  const clock = new ManualClock();
  const limiter = new FakeLimiter();
  const pause = new FakePause();
  const events = new EventLog();
  const logger = recordingLogger();
  const pool: SidRepairPool & { stopped: boolean } = {
    options: { repair: { enabled, batchSize: 2 } },
    clock,
    logger,
    counters: { repairsOk: 0, repairsFailed: 0, repairsSkipped: 0 },
    emit: events.emit,
    stopped: false,
  };
  const repair = new SidRepair(host, pool, new CommandRunner(fakeRunnerPorts(clock, limiter, pause), host));
  const idle = (): Promise<void> => vi.waitFor(() => expect(repair.running).toBe(false), { timeout: 2_000, interval: 1 });
  return { host, client: host.client, clock, limiter, pause, events, logger, pool, repair, idle };
}

describe('SidRepair (through its port)', () => {
  it('asks for snapshots of the held markets in batches of repair.batchSize and reports ok', async () => {
    const { client, limiter, events, pool, repair, idle } = setup();
    repair.request(1);
    await idle();
    expect(client.batches('get_snapshot')).toEqual([['A', 'B'], ['C', 'D'], ['E']]);
    expect(client.sent.every((c) => c.sid === 1)).toBe(true);
    expect(limiter.tokens).toBe(3);
    expect(events.of('repair')).toEqual([{ connectionId: 7, sid: 1, outcome: 'ok', markets: 5, error: undefined }]);
    expect(pool.counters).toEqual({ repairsOk: 1, repairsFailed: 0, repairsSkipped: 0 });
  });

  it('logs each outcome once at its level: gap repaired (info), gap repair skipped (debug)', async () => {
    const { pool, repair, idle } = setup();
    repair.request(1);
    await idle();
    repair.request(2); // not the book's sid: skipped
    await idle();
    const logger = pool.logger as ReturnType<typeof recordingLogger>;
    expect(logger.entries).toEqual([
      { level: 'info', fields: { connectionId: 7, role: 'orderbook', sid: 1, markets: 5 }, message: 'gap repaired' },
      { level: 'debug', fields: { connectionId: 7, role: 'orderbook', sid: 2, markets: 0, outcome: 'skipped' }, message: 'gap repair skipped' },
    ]);
  });

  it('a gap during a repair runs it once more; reset() (new generation) drops that repeat', async () => {
    const { client, limiter, events, repair, idle } = setup();
    limiter.gate();
    repair.request(1);
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    repair.request(1); // a second gap while the first repair waits: marks it dirty
    repair.reset();
    limiter.grant();
    await idle();
    expect(client.batches('get_snapshot')).toEqual([['A', 'B'], ['C', 'D'], ['E']]);
    expect(events.of('repair').map((e) => e.outcome)).toEqual(['ok']);

    limiter.gate();
    repair.request(1);
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    repair.request(1); // the same without reset(): the repair runs twice
    limiter.grant();
    await idle();
    expect(events.of('repair').map((e) => e.outcome)).toEqual(['ok', 'ok', 'ok']);
  });

  it('re-checks the sid after waiting for a token: a sid replaced meanwhile is not repaired', async () => {
    const { host, client, limiter, events, pool, repair, idle } = setup();
    limiter.gate();
    repair.request(1);
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    // The sid is lost while the repair waits; the book is subscribed again on sid 2.
    host.book.resubscribeNeeded();
    host.book.succeeded(host.book.next(100)!, 2);
    limiter.grant();
    await idle();
    expect(client.sent).toEqual([]);
    expect(events.of('repair').map((e) => e.outcome)).toEqual(['skipped']);
    expect(pool.counters.repairsSkipped).toBe(1);
  });

  it('re-checks the generation after waiting for a token: nothing is sent once the connection closed', async () => {
    const { host, client, limiter, events, repair, idle } = setup();
    limiter.gate();
    repair.request(1);
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    host.end();
    limiter.grant();
    await idle();
    expect(client.sent).toEqual([]);
    expect(events.of('repair').map((e) => e.outcome)).toEqual(['skipped']);
  });

  it('gaps during a repair coalesce into one repeat', async () => {
    const { client, events, repair, idle } = setup();
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    client.reply = () => (client.sent.length === 1 ? first : undefined);
    repair.request(1);
    repair.request(1);
    repair.request(1);
    repair.request(1);
    release();
    await idle();
    expect(client.batches('get_snapshot')).toHaveLength(6); // two repairs of three batches
    expect(events.of('repair').map((e) => e.outcome)).toEqual(['ok', 'ok']);
  });

  it('error 10 stops the batches and asks the slot to resubscribe the sid, without a retry', async () => {
    const { host, client, clock, events, pool, repair, idle } = setup();
    client.reply = () => {
      throw rejection(10, 1);
    };
    repair.request(1);
    await idle();
    expect(client.sent).toHaveLength(1);
    expect(host.resubscribed).toEqual([[1, 10]]);
    expect(events.of('repair')).toMatchObject([{ outcome: 'failed', markets: 5 }]);
    expect(pool.counters.repairsFailed).toBe(1);
    expect(clock.delays).toEqual([]);
    const error = events.of('repair')[0]!.error;
    expect((pool.logger as ReturnType<typeof recordingLogger>).entries).toEqual([
      { level: 'warn', fields: { connectionId: 7, role: 'orderbook', sid: 1, markets: 5, err: error }, message: 'gap repair failed' },
    ]);
  });

  it('a failed batch does not stop the others; a rate-limited repair holds the pool and is retried once after 250 ms', async () => {
    const { client, clock, limiter, events, repair } = setup();
    client.reply = (c) => {
      if (c.tickers.includes('C')) throw rejection(27, 1);
    };
    repair.request(1);
    await vi.waitFor(() => expect(clock.pending).toBe(1), { timeout: 2_000, interval: 1 });
    expect(client.batches('get_snapshot')).toEqual([['A', 'B'], ['C', 'D'], ['E']]);
    expect(limiter.holds).toEqual([1_000]);
    expect(clock.delays).toEqual([250]);
    clock.advance(249);
    expect(client.sent).toHaveLength(3);
    clock.advance(1);
    await vi.waitFor(() => expect(events.of('repair')).toHaveLength(2), { timeout: 2_000, interval: 1 });
    await vi.waitFor(() => expect(repair.running).toBe(false), { timeout: 2_000, interval: 1 });
    expect(client.sent).toHaveLength(6);
    expect(events.of('repair').map((e) => e.outcome)).toEqual(['failed', 'failed']); // one retry only
    expect(clock.pending).toBe(0);
  });

  it('disabled: every gap is reported skipped and nothing is sent', async () => {
    const { client, events, pool, repair } = setup(false);
    repair.request(1);
    expect(repair.running).toBe(false);
    expect(client.sent).toEqual([]);
    expect(events.of('repair')).toMatchObject([{ outcome: 'skipped', sid: 1, markets: 0 }]);
    expect(pool.counters.repairsSkipped).toBe(1);
  });

  it('a gap deferred before the book adopted the sid is repaired on adoption of that sid only', async () => {
    const { client, repair, idle } = setup();
    repair.defer(2);
    repair.adopted(1);
    expect(repair.running).toBe(false);
    repair.defer(1);
    repair.adopted(1);
    await idle();
    expect(client.batches('get_snapshot')).toHaveLength(3);
  });

  it('nothing live: the gap is reported skipped and nothing is sent', async () => {
    const { host, client, events, logger, pool, repair, idle } = setup();
    host.end();
    repair.request(1);
    await idle();
    expect(client.sent).toEqual([]);
    expect(events.of('repair')).toEqual([{ connectionId: 7, sid: 1, outcome: 'skipped', markets: 0, error: undefined }]);
    expect(pool.counters.repairsSkipped).toBe(1);
    expect(logger.entries.map((e) => e.level)).toEqual(['debug']); // no 'repair failed unexpectedly'
  });

  it('no market left to repair (all being removed): the gap is reported skipped and nothing is sent', async () => {
    const { host, client, events, limiter, repair, idle } = setup();
    for (const ticker of MARKETS) host.book.unwant(ticker);
    repair.request(1);
    await idle();
    expect(client.sent).toEqual([]);
    expect(limiter.tokens).toBe(0);
    expect(events.of('repair')).toEqual([{ connectionId: 7, sid: 1, outcome: 'skipped', markets: 0, error: undefined }]);
  });

  it('passes the generation signal to get_snapshot, so closing the connection aborts the command', async () => {
    const { host, client, repair, idle } = setup();
    const signals: (AbortSignal | undefined)[] = [];
    const update = client.updateSubscription.bind(client);
    client.updateSubscription = (sid, action, tickers, options) => {
      signals.push(options?.signal);
      return update(sid, action, tickers, options);
    };
    const { signal } = host.live()!;
    repair.request(1);
    await idle();
    expect(signals).toEqual([signal, signal, signal]);
  });

  it('a batch that timed out while reads were paused is sent again (its reply could not be seen)', async () => {
    const { client, pause, events, pool, repair, idle } = setup();
    client.reply = () => {
      if (client.sent.length === 2) {
        // Reads pause and resume while the second batch waits for its reply: the reply was never read.
        pause.pause();
        pause.resume();
        throw new CommandTimeoutError('update_subscription', 2, 5_000);
      }
    };
    repair.request(1);
    await idle();
    expect(client.batches('get_snapshot')).toEqual([['A', 'B'], ['C', 'D'], ['C', 'D'], ['E']]);
    expect(events.of('repair')).toEqual([{ connectionId: 7, sid: 1, outcome: 'ok', markets: 5, error: undefined }]);
    expect(pool.counters).toEqual({ repairsOk: 1, repairsFailed: 0, repairsSkipped: 0 });
  });

  it('a repeat is dropped when the sid changed meanwhile (one skipped report, not two)', async () => {
    const { host, client, limiter, events, repair, idle } = setup();
    limiter.gate();
    repair.request(1);
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    repair.request(1); // dirty: a repeat is due
    host.book.resubscribeNeeded();
    host.book.succeeded(host.book.next(100)!, 2);
    limiter.grant();
    await idle();
    expect(client.sent).toEqual([]);
    expect(events.of('repair')).toEqual([{ connectionId: 7, sid: 1, outcome: 'skipped', markets: 5, error: undefined }]);
  });

  it('a repeat is dropped once the pool stopped', async () => {
    const { client, limiter, events, pool, repair, idle } = setup();
    limiter.gate();
    repair.request(1);
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), { timeout: 2_000, interval: 1 });
    repair.request(1); // dirty: a repeat is due
    pool.stopped = true;
    limiter.grant();
    await idle();
    expect(client.batches('get_snapshot')).toHaveLength(3); // the repair in flight ends, no repeat
    expect(events.of('repair').map((e) => e.outcome)).toEqual(['ok']);
  });

  it('an unexpected error ends the repair and is logged once at error level, never thrown', async () => {
    const { host, events, logger, repair, idle } = setup();
    const boom = new Error('boom');
    host.live = () => {
      throw boom;
    };
    repair.request(1);
    await idle();
    expect(events.of('repair')).toEqual([]);
    expect(logger.entries).toEqual([{ level: 'error', fields: { connectionId: 7, sid: 1, err: boom }, message: 'repair failed unexpectedly' }]);
    // A thrown non-Error named like an abort is still unexpected.
    const fake = { name: 'AbortError' };
    host.live = () => {
      throw fake;
    };
    repair.request(1);
    await idle();
    expect(logger.entries.map((e) => e.fields.err)).toEqual([boom, fake]);
  });

  it('a ClosedError or an abort ends the repair silently (the connection or the pool closed)', async () => {
    const { host, client, clock, logger, repair, idle } = setup();
    host.live = () => {
      throw new ClosedError('closed');
    };
    repair.request(1);
    await idle();
    expect(logger.entries).toEqual([]);
    // An abort during the pause before the retry of a failed repair: the wait rejects with an AbortError.
    host.live = FakeOrderbookHost.prototype.live.bind(host);
    client.reply = () => {
      throw rejection(2, 1);
    };
    repair.request(1);
    await vi.waitFor(() => expect(clock.pending).toBe(1), { timeout: 2_000, interval: 1 });
    host.end();
    await idle();
    expect(clock.pending).toBe(0);
    expect(logger.entries.map((e) => e.message)).toEqual(['gap repair failed']);
  });
});
