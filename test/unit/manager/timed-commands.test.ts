import { ClosedError, CommandTimeoutError } from 'kalshi-ws-pool';
import { describe, expect, it } from 'vitest';
import { TimedCommands } from '../../../src/manager/timed-commands';
import type { CommandCounters } from '../../../src/manager/timed-commands';
import { EventLog, ManualClock, ScriptedClient, recordingLogger, rejection } from './fakes/ports';

function setup() {
  const clock = new ManualClock();
  const counters: CommandCounters = { commandsSent: 0, commandsPending: 0, commandsFailed: 0 };
  const events = new EventLog();
  const logger = recordingLogger();
  const client = new ScriptedClient();
  const timed = new TimedCommands(client, 7, 'orderbook', { clock, counters, logger, emit: events.emit });
  return { clock, counters, events, logger, client, timed };
}

describe('TimedCommands (through its port)', () => {
  it('counts a command sent and pending until it settles, then emits one command event with its round trip', async () => {
    const { clock, counters, events, client, timed } = setup();
    let release!: () => void;
    client.reply = () => new Promise<void>((resolve) => (release = resolve));
    const pending = timed.subscribe(['orderbook_delta'], ['A']);
    expect(counters).toEqual({ commandsSent: 1, commandsPending: 1, commandsFailed: 0 });
    expect(events.events).toEqual([]);
    clock.advance(25);
    release();
    await expect(pending).resolves.toEqual([{ sid: 1, channel: 'orderbook_delta' }]);
    expect(counters).toEqual({ commandsSent: 1, commandsPending: 0, commandsFailed: 0 });
    expect(events.of('command')).toEqual([
      { connectionId: 7, role: 'orderbook', cmd: 'subscribe', action: undefined, outcome: 'ok', durationMs: 25, kalshiCode: undefined },
    ]);
  });

  it('classifies failures (rejected with its code, timeout, failed), logs rejections and rethrows the same error', async () => {
    const { counters, events, logger, client, timed } = setup();
    const errors = [rejection(11, 3), new CommandTimeoutError('update_subscription', 2, 5_000), new ClosedError('gone')];
    let next = 0;
    client.reply = () => {
      throw errors[next++];
    };
    await expect(timed.updateSubscription(3, 'add_markets', ['A'])).rejects.toBe(errors[0]);
    await expect(timed.unsubscribe([3])).rejects.toBe(errors[1]);
    await expect(timed.listSubscriptions()).rejects.toBe(errors[2]);
    expect(events.of('command').map(({ cmd, action, outcome, kalshiCode }) => ({ cmd, action, outcome, kalshiCode }))).toEqual([
      { cmd: 'update_subscription', action: 'add_markets', outcome: 'rejected', kalshiCode: 11 },
      { cmd: 'unsubscribe', action: undefined, outcome: 'timeout', kalshiCode: undefined },
      { cmd: 'list_subscriptions', action: undefined, outcome: 'failed', kalshiCode: undefined },
    ]);
    expect(counters).toEqual({ commandsSent: 3, commandsPending: 0, commandsFailed: 3 });
    expect(logger.entries).toEqual([
      {
        level: 'warn',
        fields: { connectionId: 7, role: 'orderbook', cmd: 'update_subscription', action: 'add_markets', sid: 3, code: 11 },
        message: 'command rejected',
      },
    ]);
  });

  it('stats cannot drift from the events: sent = events + pending, failed = events not ok, for any mix of outcomes', async () => {
    const { counters, events, client, timed } = setup();
    const outcomes = ['ok', 'rejected', 'ok', 'timeout', 'failed', 'ok', 'rejected', 'hang', 'hang'] as const;
    let i = 0;
    client.reply = () => {
      const outcome = outcomes[i++];
      if (outcome === 'rejected') throw rejection(18);
      if (outcome === 'timeout') throw new CommandTimeoutError('subscribe', i, 1);
      if (outcome === 'failed') throw new ClosedError('closed');
      if (outcome === 'hang') return new Promise<void>(() => undefined);
      return undefined;
    };
    const settled = outcomes.map((_, n) => timed.updateSubscription(1, 'get_snapshot', [`M${n}`]).then(
      () => 'ok',
      () => 'error',
    ));
    await Promise.all(settled.slice(0, 7));
    const commandEvents = events.of('command');
    expect(commandEvents).toHaveLength(7);
    expect(counters.commandsSent).toBe(commandEvents.length + counters.commandsPending);
    expect(counters.commandsPending).toBe(2);
    expect(counters.commandsFailed).toBe(commandEvents.filter((e) => e.outcome !== 'ok').length);
    expect(counters.commandsFailed).toBe(4);
  });

  it('a clock that steps back during a command reports a round trip of 0, never a negative duration', async () => {
    const { counters, events, client } = setup();
    let now = 1_000;
    const clock = { now: () => now };
    const timed = new TimedCommands(client, 7, 'orderbook', { clock, counters, logger: recordingLogger(), emit: events.emit });
    let release!: () => void;
    client.reply = () => new Promise<void>((resolve) => (release = resolve));
    const pending = timed.listSubscriptions();
    now = 400; // a wall clock corrected backwards while the command was out
    release();
    await pending;
    now = 500;
    const forward = timed.unsubscribe([1]);
    now = 530;
    release();
    await forward;
    expect(events.of('command').map((e) => e.durationMs)).toEqual([0, 30]);
  });
});
