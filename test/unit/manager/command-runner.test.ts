import { ClosedError, CommandRejectedError, CommandTimeoutError } from 'kalshi-ws-pool';
import { describe, expect, it } from 'vitest';
import { CommandRunner } from '../../../src/manager/command-runner';
import type { CommandRunnerPorts } from '../../../src/manager/command-runner';
import type { LiveConnection } from '../../../src/manager/live-connection';
import type { CommandClient } from '../../../src/manager/timed-commands';

interface FakePorts extends CommandRunnerPorts {
  tokens: number;
  epoch: number;
  readonly held: number[];
}

/** A small fake of the runner's ports: a limiter that counts tokens, a pause epoch the test moves. */
function fakePorts(): FakePorts {
  const ports: FakePorts = {
    tokens: 0,
    epoch: 0,
    held: [],
    clock: {
      now: () => 0,
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
    },
    commands: {
      acquire: (signal?: AbortSignal) => {
        if (signal?.aborted === true) return Promise.reject(new ClosedError('closed'));
        ports.tokens++;
        return Promise.resolve();
      },
      holdFor: (ms: number) => void ports.held.push(ms),
    },
    get pauseEpoch() {
      return ports.epoch;
    },
    pausedSince: (epoch: number) => ports.epoch !== epoch,
    whenResumed: () => Promise.resolve(),
    backoff: { initialDelayMs: 10, maxDelayMs: 40, factor: 2, randomize: false },
  };
  return ports;
}

function conn(): LiveConnection & { readonly controller: AbortController } {
  const controller = new AbortController();
  return { client: {} as CommandClient, generation: 1, signal: controller.signal, controller };
}

describe('CommandRunner', () => {
  it('takes one token, sends, and returns the value', async () => {
    const ports = fakePorts();
    const runner = new CommandRunner(ports, { isLive: () => true });
    await expect(runner.run(conn(), () => Promise.resolve(42))).resolves.toEqual({ kind: 'ok', value: 42 });
    expect(ports.tokens).toBe(1);
  });

  it('does not send when the generation ended, was aborted, or the caller no longer wants it', async () => {
    const ports = fakePorts();
    let sent = 0;
    const send = (): Promise<void> => {
      sent++;
      return Promise.resolve();
    };
    await expect(new CommandRunner(ports, { isLive: () => false }).run(conn(), send)).resolves.toEqual({ kind: 'ended' });
    const live = new CommandRunner(ports, { isLive: () => true });
    await expect(live.run(conn(), send, { stillWanted: () => false })).resolves.toEqual({ kind: 'ended' });
    const aborted = conn();
    aborted.controller.abort();
    await expect(live.run(aborted, send)).resolves.toEqual({ kind: 'ended' });
    expect(sent).toBe(0);
  });

  it('classifies a close as ended, a timeout across a pause as paused, anything else as failed', async () => {
    const ports = fakePorts();
    const runner = new CommandRunner(ports, { isLive: () => true });
    await expect(runner.run(conn(), () => Promise.reject(new ClosedError('gone')))).resolves.toEqual({ kind: 'ended' });
    const timeout = new CommandTimeoutError('subscribe', 1, 5_000);
    const paused = await runner.run(conn(), () => {
      ports.epoch++;
      return Promise.reject(timeout);
    });
    expect(paused).toEqual({ kind: 'paused', error: timeout });
    expect(await runner.run(conn(), () => Promise.reject(timeout))).toEqual({ kind: 'failed', error: timeout });
    const rejected = new CommandRejectedError(11, 'caller', 'invalid parameter', { command: 'subscribe', commandId: 2 });
    expect(await runner.run(conn(), () => Promise.reject(rejected))).toEqual({ kind: 'failed', error: rejected });
  });

  it('backs off on the command backoff; a backoff cut by the generation ending says so', async () => {
    const ports = fakePorts();
    const runner = new CommandRunner(ports, { isLive: () => true });
    expect([1, 2, 3, 4].map((n) => runner.delay(n))).toEqual([10, 20, 40, 40]);
    await expect(runner.backOff(conn(), 1)).resolves.toBe(true);
    const ended = conn();
    ended.controller.abort();
    await expect(runner.backOff(ended, 1)).resolves.toBe(false);
    runner.holdAll(1_000);
    expect(ports.held).toEqual([1_000]);
  });
});
