import { CommandTimeoutError, ProtocolError } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import type { CommandResult } from '../../../src/manager/command-runner';
import type { LiveConnection } from '../../../src/manager/live-connection';
import type { EmitEvent } from '../../../src/manager/pool-context';
import { RoleSubscription } from '../../../src/manager/role-subscription';
import type { RoleCommands, RoleHost, RoleSubscriptionPorts } from '../../../src/manager/role-subscription';
import type { CommandClient } from '../../../src/manager/timed-commands';

/**
 * What the fake runner does with the next command: send it and answer ok (a subscribe gets `sid`, or no
 * result at all with `sid: undefined`), or end it another way.
 */
type Step = { readonly sid: number | undefined } | { readonly kind: 'failed' | 'paused' | 'ended' };

/** Knobs of the fake: what `backOff` answers, and a hook run while a command is out (before its reply). */
interface Knobs {
  backOffResult?: () => boolean;
  duringSend?: () => void;
}

/**
 * A small fake of the command runner and the pool: each `run` sends through a client that records the
 * command, then answers with the next scripted step. No sockets, no timers.
 */
function setup(steps: Step[], adopted: (sid: number) => boolean = () => true, knobs: Knobs = {}) {
  const sent: string[] = [];
  const messages: string[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const backOffs: number[] = [];
  const warnings: unknown[] = [];
  const errors: unknown[] = [];
  let live = true;
  let step: Step | undefined;
  const client = {
    subscribe: (channels: readonly string[], markets: readonly string[] | undefined, options?: { signal?: AbortSignal }) => {
      sent.push(`subscribe ${channels.join(',')}${markets === undefined ? '' : ` markets ${markets.join(',')}`}`);
      signals.push(options?.signal);
      knobs.duringSend?.();
      const sid = (step as { sid: number | undefined }).sid;
      return Promise.resolve(sid === undefined ? [] : [{ sid, channel: channels[0] }]);
    },
    unsubscribe: (sids: readonly number[], options?: { signal?: AbortSignal }) => {
      sent.push(`unsubscribe ${sids.join(',')}`);
      signals.push(options?.signal);
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
      if ('sid' in step) {
        // Like the real runner: a send that throws is a failed command.
        try {
          return { kind: 'ok', value: await send(client, conn.signal) };
        } catch (error) {
          return { kind: 'failed', error };
        }
      }
      if (step.kind === 'ended') return { kind: 'ended' };
      sent.push(`subscribe (${step.kind})`);
      if (step.kind === 'paused') return { kind: 'paused', error: new CommandTimeoutError('subscribe', 1, 5_000) };
      return { kind: 'failed', error: new Error('rejected') };
    },
    backOff: (_conn, failures) => {
      backOffs.push(failures);
      return Promise.resolve(knobs.backOffResult === undefined ? live : knobs.backOffResult());
    },
  };
  const emit: EmitEvent = (event, payload) => {
    if (event === 'error') errors.push(payload);
  };
  const warn = (fields: unknown, message: string): void => {
    warnings.push(fields);
    messages.push(message);
  };
  const ports: RoleSubscriptionPorts = { logger: { warn }, emit };
  const host: RoleHost = { isLive: () => live, adopted };
  const subscription = new RoleSubscription(3, 'trade', host, ports, runner);
  const conn: LiveConnection = { client, generation: 1, signal: new AbortController().signal };
  const end = (): void => {
    live = false;
  };
  return { subscription, conn, sent, backOffs, warnings, messages, errors, signals, end };
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

  it('passes the connection signal to every command it sends', async () => {
    const t = setup([{ sid: 1 }, { sid: 0 }, { sid: 2 }]);
    await t.subscription.subscribe(t.conn);
    t.subscription.lost(1, t.conn);
    await vi.waitFor(() => expect(t.subscription.sid).toBe(2));
    expect(t.sent).toEqual(['subscribe trade', 'unsubscribe 1', 'subscribe trade']);
    expect(t.signals).toEqual([t.conn.signal, t.conn.signal, t.conn.signal]);
  });

  it('logs each failure with its message and error', async () => {
    const t = setup([{ kind: 'failed' }, { sid: 2 }]);
    await t.subscription.subscribe(t.conn);
    expect(t.messages).toEqual(['role subscribe failed; retrying']);
    expect(t.warnings).toEqual([{ connectionId: 3, channel: 'trade', err: new Error('rejected') }]);
  });

  it('a subscribe reply without a result is a failed command: logged, backed off, then subscribed again', async () => {
    const t = setup([{ sid: undefined }, { sid: 8 }]);
    await t.subscription.subscribe(t.conn);
    expect(t.sent).toEqual(['subscribe trade', 'subscribe trade']);
    expect(t.subscription.sid).toBe(8);
    expect(t.backOffs).toEqual([1]);
    expect(t.messages).toEqual(['role subscribe failed; retrying']);
    const err = (t.warnings[0] as { err: unknown }).err;
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err).toMatchObject({ code: 'KWP_PROTOCOL', reason: 'malformed-reply', connectionId: 3 });
  });

  it('a client that keeps answering subscribe with no result is reported once, on the third failure', async () => {
    const t = setup([{ sid: undefined }, { sid: undefined }, { sid: undefined }, { sid: undefined }, { sid: 4 }]);
    await t.subscription.subscribe(t.conn);
    expect(t.backOffs).toEqual([1, 2, 3, 4]);
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toMatchObject({ connectionId: 3, fatal: false, error: { reason: 'malformed-reply' } });
    expect(t.subscription.sid).toBe(4);
  });

  it('a reply that settles after its generation ended is not held', async () => {
    const knobs: Knobs = {};
    const t = setup([{ sid: 5 }, { sid: 6 }], () => true, knobs);
    knobs.duringSend = () => t.end();
    await t.subscription.subscribe(t.conn);
    expect(t.sent).toEqual(['subscribe trade']);
    expect(t.subscription.sid).toBeUndefined();
  });

  it('an unsubscribe that ends without a reply stops the run, even before the slot sees the generation close', async () => {
    const t = setup([{ sid: 1 }, { kind: 'ended' }, { sid: 2 }]);
    await t.subscription.subscribe(t.conn);
    t.subscription.lost(1, t.conn);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(t.sent).toEqual(['subscribe trade']);
    expect(t.subscription.sid).toBeUndefined();
    // The run is over: a new subscribe() runs (it would return at once while the old run was still going).
    await t.subscription.subscribe(t.conn);
    expect(t.sent).toEqual(['subscribe trade', 'subscribe trade']);
    expect(t.subscription.sid).toBe(2);
  });

  it('a backoff cut short stops the run, even before the slot sees the generation close', async () => {
    const t = setup([{ kind: 'failed' }, { sid: 2 }], () => true, { backOffResult: () => false });
    await t.subscription.subscribe(t.conn);
    expect(t.backOffs).toEqual([1]);
    expect(t.sent).toEqual(['subscribe (failed)']);
    expect(t.subscription.sid).toBeUndefined();
  });

  it('a backoff that throws ends the run quietly and lets the next one start', async () => {
    const t = setup([{ kind: 'failed' }, { sid: 4 }], () => true, {
      backOffResult: () => {
        throw new Error('aborted');
      },
    });
    await expect(t.subscription.subscribe(t.conn)).resolves.toBeUndefined();
    expect(t.subscription.sid).toBeUndefined();
    await t.subscription.subscribe(t.conn);
    expect(t.subscription.sid).toBe(4);
  });
});
