import type { ChannelName, UpdateAction } from '../protocol/kalshi/channels';
import {
  buildListSubscriptions,
  buildSubscribe,
  buildUnsubscribe,
  buildUpdateSubscription,
  encodeCommand,
} from '../protocol/kalshi/commands';
import type { KalshiCommand, SubscribeCommandOptions } from '../protocol/kalshi/commands';
import type { SubscribeOptions, SubscribeResult, SubscriptionInfo, UnsubscribeResult, UpdateResult } from './client';
import type { PendingEntry } from './pending-commands';
import { deferred } from './pending-commands';

/** A built command: its wire text, its pending entry, and the promise the entry settles. */
export interface PreparedCommand<T> {
  readonly text: string;
  readonly entry: PendingEntry;
  readonly reply: Promise<T>;
}

/** Builds a command for id `id` sent at `sentAt`. Throws `InvalidCommandError` on bad input. */
export type Prepare<T> = (id: number, sentAt: number) => PreparedCommand<T>;

function prepared<T>(command: KalshiCommand, entry: PendingEntry, reply: Promise<T>): PreparedCommand<T> {
  return { text: encodeCommand(command), entry, reply };
}

/** `subscribe`: one result slot per channel, filled in request order. */
export function prepareSubscribe(
  channels: readonly ChannelName[],
  marketTickers: readonly string[] | undefined,
  options: SubscribeOptions | undefined,
): Prepare<SubscribeResult[]> {
  return (id, sentAt) => {
    const flags: SubscribeCommandOptions = {
      ...(options?.sendInitialSnapshot === undefined ? {} : { sendInitialSnapshot: options.sendInitialSnapshot }),
      ...(options?.skipTickerAck === undefined ? {} : { skipTickerAck: options.skipTickerAck }),
      ...(options?.useYesPrice === undefined ? {} : { useYesPrice: options.useYesPrice }),
    };
    const command = buildSubscribe(id, channels, marketTickers, flags);
    const { promise, resolve, reject } = deferred<SubscribeResult[]>();
    const entry: PendingEntry = {
      kind: 'subscribe',
      id,
      cmd: command.cmd,
      sentAt,
      resolve,
      reject,
      channels: [...channels],
      results: channels.map(() => undefined),
      filled: 0,
    };
    return prepared(command, entry, promise);
  };
}

/** `unsubscribe`: done when every sid is confirmed. */
export function prepareUnsubscribe(sids: readonly number[]): Prepare<UnsubscribeResult> {
  return (id, sentAt) => {
    const command = buildUnsubscribe(id, sids);
    const { promise, resolve, reject } = deferred<UnsubscribeResult>();
    const entry: PendingEntry = { kind: 'unsubscribe', id, cmd: command.cmd, sentAt, resolve, reject, sids: [...sids], remaining: new Set(sids), confirmed: [] };
    return prepared(command, entry, promise);
  };
}

/** `update_subscription`: `ok` for add/delete; N snapshots carrying the id for `get_snapshot`. */
export function prepareUpdate(sid: number, action: UpdateAction, marketTickers: readonly string[]): Prepare<UpdateResult> {
  return (id, sentAt) => {
    const command = buildUpdateSubscription(id, sid, action, marketTickers);
    const { promise, resolve, reject } = deferred<UpdateResult>();
    const base = { id, cmd: command.cmd, sentAt, resolve, reject, sid };
    const entry: PendingEntry =
      action === 'get_snapshot'
        ? { ...base, kind: 'snapshot', expected: new Set(marketTickers).size, received: 0 }
        : { ...base, kind: 'update', action };
    return prepared(command, entry, promise);
  };
}

/** `list_subscriptions`. */
export function prepareList(): Prepare<SubscriptionInfo[]> {
  return (id, sentAt) => {
    const command = buildListSubscriptions(id);
    const { promise, resolve, reject } = deferred<SubscriptionInfo[]>();
    return prepared(command, { kind: 'list', id, cmd: command.cmd, sentAt, resolve, reject }, promise);
  };
}
