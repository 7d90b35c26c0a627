import { CommandTimeoutError } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { CommandRunner, commandRunnerPorts } from '../../../src/manager/command-runner';
import type { CommandRunnerPool } from '../../../src/manager/command-runner';
import { managerDefaults } from '../../../src/manager/manager-options';
import { FakeLimiter, FakeOrderbookHost, FakePause, ManualClock, fakeRunnerPorts } from './fakes/ports';

const wait = { timeout: 2_000, interval: 1 };

/** A runner on fake ports over a fake slot; `send` counts what reached the client. */
function setup() {
  const clock = new ManualClock();
  const limiter = new FakeLimiter();
  const pause = new FakePause();
  const host = new FakeOrderbookHost(3);
  const runner = new CommandRunner(fakeRunnerPorts(clock, limiter, pause), host);
  const conn = host.live()!;
  let sent = 0;
  const send = (): Promise<string> => {
    sent++;
    return Promise.resolve('done');
  };
  return { clock, limiter, pause, host, runner, conn, send, sent: () => sent };
}

describe('CommandRunner (through its port)', () => {
  it('commandRunnerPorts reads the pool live and derives the command backoff from reconnect', () => {
    const pause = new FakePause();
    const pool: CommandRunnerPool = {
      clock: new ManualClock(),
      commands: new FakeLimiter(),
      get pauseEpoch() {
        return pause.epoch;
      },
      pausedSince: (epoch) => pause.pausedSince(epoch),
      whenResumed: (signal) => pause.whenResumed(signal),
      options: { reconnect: { ...managerDefaults.reconnect, initialDelayMs: 2_000, maxDelayMs: 60_000, randomize: false } },
    };
    const ports = commandRunnerPorts(pool);
    expect(ports.pauseEpoch).toBe(0);
    pause.pause();
    expect(ports.pauseEpoch).toBe(1);
    expect(ports.pausedSince(1)).toBe(true);
    pause.resume();
    expect(ports.pausedSince(1)).toBe(false);
    expect(ports.backoff).toEqual({ initialDelayMs: 500, maxDelayMs: 30_000, factor: 2, randomize: false });
    const short = commandRunnerPorts({ ...pool, options: { reconnect: { ...managerDefaults.reconnect, initialDelayMs: 100, maxDelayMs: 1_000 } } });
    expect(short.backoff).toEqual({ initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, randomize: true });
  });

  it('waits for reads to resume before taking a token, and a timeout after the resume is a failure, not a pause', async () => {
    const { limiter, pause, runner, conn } = setup();
    pause.pause();
    const timeout = new CommandTimeoutError('subscribe', 1, 5_000);
    const result = runner.run(conn, () => Promise.reject(timeout));
    await vi.waitFor(() => expect(pause.waiting).toBe(1), wait);
    expect(limiter.tokens).toBe(0);
    pause.resume();
    // A second short pause that ends before the runner goes on: over before the send, so it does not count.
    pause.pause();
    pause.resume();
    await expect(result).resolves.toEqual({ kind: 'failed', error: timeout });
    expect(limiter.tokens).toBe(1);
  });

  it('with awaitResume false it sends while paused, and the timeout counts as paused (send again)', async () => {
    const { limiter, pause, runner, conn } = setup();
    pause.pause();
    const timeout = new CommandTimeoutError('subscribe', 1, 5_000);
    await expect(runner.run(conn, () => Promise.reject(timeout), { awaitResume: false })).resolves.toEqual({ kind: 'paused', error: timeout });
    expect(limiter.tokens).toBe(1);
  });

  it('re-checks the generation after waiting for a token: a generation that ended meanwhile sends nothing', async () => {
    const { limiter, host, runner, conn, send, sent } = setup();
    limiter.gate();
    const result = runner.run(conn, send);
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), wait);
    host.generation++; // a new generation opened; the old signal has not fired yet
    limiter.grant();
    await expect(result).resolves.toEqual({ kind: 'ended' });
    expect(sent()).toBe(0);
  });

  it('re-checks stillWanted after waiting for a token', async () => {
    const { limiter, runner, conn, send, sent } = setup();
    limiter.gate();
    let wanted = true;
    const result = runner.run(conn, send, { stillWanted: () => wanted });
    await vi.waitFor(() => expect(limiter.waiting).toBe(1), wait);
    wanted = false;
    limiter.grant();
    await expect(result).resolves.toEqual({ kind: 'ended' });
    expect(sent()).toBe(0);
    await expect(runner.run(conn, send, { stillWanted: () => true })).resolves.toEqual({ kind: 'ok', value: 'done' });
    expect(sent()).toBe(1);
  });

  it('backOff waits the command backoff on the pool clock and pause(ms) says false once the generation ended', async () => {
    const { clock, host, runner, conn } = setup();
    const backedOff = runner.backOff(conn, 2);
    expect(clock.delays).toEqual([20]);
    clock.advance(20);
    await expect(backedOff).resolves.toBe(true);
    const paused = runner.pause(conn, 1_000);
    host.end();
    await expect(paused).resolves.toBe(false);
    expect(clock.pending).toBe(0);
  });
});
