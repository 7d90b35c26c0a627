import { CommandTimeoutError } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import type { CommandResult } from '../../../src/manager/command-runner';
import type { LiveConnection } from '../../../src/manager/live-connection';
import type { EmitEvent } from '../../../src/manager/pool-context';
import { RoleSubscription } from '../../../src/manager/role-subscription';
import type { RoleCommands, RoleHost, RoleSubscriptionPorts } from '../../../src/manager/role-subscription';
import type { CommandClient } from '../../../src/manager/timed-commands';

/** What the fake runner does with the next command: send it and answer ok (a subscribe gets `sid`), or end it another way. */
type Step = { readonly sid: number } | { readonly kind: 'failed' | 'paused' | 'ended' };

/**
 * A small fake of the command runner and the pool: each `run` sends through a client that records the
 * command, then answers with the next scripted step. No sockets, no timers.
 */
function setup(steps: Step[], adopted: (sid: number) => boolean = () => true) {
  const sent: string[] = [];
  const backOffs: number[] = [];
  const warnings: unknown[] = [];
  const errors: unknown[] = [];
  let live = true;
  let step: Step | undefined;
  const client = {
    subscribe: (channels: readonly string[]) => {
      sent.push(`subscribe ${channels.join(',')}`);
      return Promise.resolve([{ sid: (step as { sid: number }).sid, channel: channels[0] }]);
    },
    unsubscribe: (sids: readonly number[]) => {
      sent.push(`unsubscribe ${sids.join(',')}`);
      return Promise.resolve({});
    },
  } as unknown as CommandClient;
  const runner: RoleCommands = {
    run: async <T>(conn: LiveConnection, send: (c: CommandClient, s: AbortSignal) => Promise<T>): Promise<CommandResult<T>> => {
      step = steps.shift();
      if (step === undefined) {
        live = false; // script exhausted: the generation ends
        return { kind: 'ended' };
      }
      if ('sid' in step) return { kind: 'ok', value: await send(client, conn.signal) };
      if (step.kind === 'ended') return { kind: 'ended' };
      sent.push(`subscribe (${step.kind})`);
      if (step.kind === 'paused') return { kind: 'paused', error: new CommandTimeoutError('subscribe', 1, 5_000) };
      return { kind: 'failed', error: new Error('rejected') };
    },
    backOff: (_conn, failures) => {
      backOffs.push(failures);
      return Promise.resolve(live);
    },
  };
  const emit: EmitEvent = (event, payload) => {
    if (event === 'error') errors.push(payload);
  };
  const ports: RoleSubscriptionPorts = { logger: { warn: (fields) => void warnings.push(fields) }, emit };
  const host: RoleHost = { isLive: () => live, adopted };
  const subscription = new RoleSubscription(3, 'trade', host, ports, runner);
  const conn: LiveConnection = { client, generation: 1, signal: new AbortController().signal };
  return { subscription, conn, sent, backOffs, warnings, errors };
}

describe('RoleSubscription (fake runner)', () => {
  it('subscribes the channel without markets and holds the sid', async () => {
    const t = setup([{ sid: 5 }]);
    await t.subscription.subscribe(t.conn);
    expect(t.sent).toEqual(['subscribe trade']);
    expect(t.subscription.sid).toBe(5);
    t.subscription.reset();
    expect(t.subscription.sid).toBeUndefined();
  });

  it('retries failures with backoff, warning each time and emitting one error on the third', async () => {
    const t = setup([{ kind: 'failed' }, { kind: 'failed' }, { kind: 'failed' }, { kind: 'failed' }, { sid: 2 }]);
    await t.subscription.subscribe(t.conn);
    expect(t.backOffs).toEqual([1, 2, 3, 4]);
    expect(t.warnings).toHaveLength(4);
    expect(t.warnings[0]).toMatchObject({ connectionId: 3, channel: 'trade' });
    expect(t.errors).toEqual([expect.objectContaining({ connectionId: 3, fatal: false })]);
    expect(t.subscription.sid).toBe(2);
    // Two failures in a row are only warned about.
    const twice = setup([{ kind: 'failed' }, { kind: 'failed' }, { sid: 3 }]);
    await twice.subscription.subscribe(twice.conn);
    expect(twice.warnings).toHaveLength(2);
    expect(twice.errors).toEqual([]);
  });

  it('sends again after a timeout while reads were paused, without counting a failure', async () => {
    const t = setup([{ kind: 'paused' }, { sid: 4 }]);
    await t.subscription.subscribe(t.conn);
    expect(t.backOffs).toEqual([]);
    expect(t.warnings).toEqual([]);
    expect(t.subscription.sid).toBe(4);
  });

  it('stops when the generation ends', async () => {
    const t = setup([{ kind: 'ended' }, { sid: 1 }]);
    await t.subscription.subscribe(t.conn);
    expect(t.sent).toEqual([]);
    expect(t.subscription.sid).toBeUndefined();
  });

  it('unsubscribes a sid lost before its reply settled, then subscribes again', async () => {
    const t = setup([{ sid: 6 }, { sid: 0 }, { sid: 7 }], (sid) => sid !== 6);
    await t.subscription.subscribe(t.conn);
    expect(t.sent).toEqual(['subscribe trade', 'unsubscribe 6', 'subscribe trade']);
    expect(t.subscription.sid).toBe(7);
  });

  it('after lost(sid) unsubscribes it first; a stale sid or a second run is ignored', async () => {
    const t = setup([{ sid: 1 }, { sid: 0 }, { sid: 2 }]);
    await t.subscription.subscribe(t.conn);
    t.subscription.lost(99, t.conn); // not the held sid
    expect(t.subscription.sid).toBe(1);
    t.subscription.lost(1, t.conn);
    await t.subscription.subscribe(t.conn); // one run at a time: returns at once
    await vi.waitFor(() => expect(t.subscription.sid).toBe(2));
    expect(t.sent).toEqual(['subscribe trade', 'unsubscribe 1', 'subscribe trade']);
    expect(t.subscription.sid).toBe(2);
  });
});

