import pTimeout from 'p-timeout';
import type { ConnectionErrorOptions } from '../errors';
import { CommandTimeoutError } from '../errors';
import type { Clock } from '../ports/clock';
import type { UpdateAction } from '../protocol/kalshi/channels';
import type { SubscribeResult, SubscriptionInfo, UnsubscribeResult, UpdateResult } from './client';

/** Fields every pending command has. */
interface EntryBase<T> {
  readonly id: number;
  /** Wire command name, e.g. `subscribe`. */
  readonly cmd: string;
  /** `clock.now()` when it was sent, for latency. */
  readonly sentAt: number;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

/** `subscribe`: one `subscribed` per channel under the same id. */
export interface SubscribeEntry extends EntryBase<SubscribeResult[]> {
  readonly kind: 'subscribe';
  readonly channels: readonly string[];
  /** Filled in request order; resolved when every slot is set. */
  readonly results: (SubscribeResult | undefined)[];
  filled: number;
}

/** `unsubscribe`: one `unsubscribed` per sid. */
export interface UnsubscribeEntry extends EntryBase<UnsubscribeResult> {
  readonly kind: 'unsubscribe';
  readonly sids: readonly number[];
  /** Sids asked for and not confirmed yet: only these are accepted from replies (linear in replies). */
  readonly remaining: Set<number>;
  readonly confirmed: number[];
}

/** `update_subscription` add/delete: one `ok` (usually with sid + seq). */
export interface UpdateEntry extends EntryBase<UpdateResult> {
  readonly kind: 'update';
  readonly sid: number;
  readonly action: Exclude<UpdateAction, 'get_snapshot'>;
}

/** `update_subscription get_snapshot`: no `ok`; done when `expected` snapshots carrying the id arrived. */
export interface SnapshotEntry extends EntryBase<UpdateResult> {
  readonly kind: 'snapshot';
  readonly sid: number;
  readonly expected: number;
  received: number;
}

/** `list_subscriptions`: one `ok` with the list. */
export interface ListEntry extends EntryBase<SubscriptionInfo[]> {
  readonly kind: 'list';
}

/** A command waiting for its reply. */
export type PendingEntry = SubscribeEntry | UnsubscribeEntry | UpdateEntry | SnapshotEntry | ListEntry;

/** What the table tells its owner (a tiny interface, not the whole client). */
export interface PendingHooks {
  /** The entry left the table without a reply: timed out, or aborted through its signal. */
  dropped(entry: PendingEntry, why: 'timeout' | 'aborted'): void;
}

/** A promise plus its settle functions. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

/** `Promise.withResolvers` for Node 20. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The correlation table of one connection: command id -> pending entry, each bounded by p-timeout
 * on the client's clock. An entry leaves the table exactly once: by {@link take} (reply, send failure),
 * {@link rejectAll} (close), or by timeout/abort (reported through {@link PendingHooks.dropped}).
 */
export class PendingCommands {
  private readonly entries = new Map<number, PendingEntry>();
  private readonly timers: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };

  constructor(
    clock: Clock,
    private readonly hooks: PendingHooks,
    private readonly context: ConnectionErrorOptions,
  ) {
    // p-timeout wants the global timer signatures; the Clock port has the same shape with opaque handles.
    this.timers = {
      setTimeout: ((callback: () => void, ms: number) => clock.setTimeout(callback, ms)) as unknown as typeof setTimeout,
      clearTimeout: ((handle: unknown) => {
        if (handle !== undefined) clock.clearTimeout(handle);
      }) as typeof clearTimeout,
    };
  }

  /** Commands waiting for a reply. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Adds `entry` and returns its reply promise bounded by `timeoutMs` and `signal`.
   * On timeout it rejects with {@link CommandTimeoutError}; on abort with `signal.reason`.
   */
  track<T>(entry: PendingEntry, reply: Promise<T>, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
    this.entries.set(entry.id, entry);
    const timeoutError = new CommandTimeoutError(entry.cmd, entry.id, timeoutMs, this.context);
    const bounded = pTimeout(reply, {
      milliseconds: timeoutMs,
      message: timeoutError,
      customTimers: this.timers,
      ...(signal === undefined ? {} : { signal }),
    });
    // Registered before the caller's handlers, so the table is clean when the caller sees the rejection.
    bounded.catch((error: unknown) => {
      if (this.entries.get(entry.id) !== entry) return; // settled by a reply, a send failure or close
      this.entries.delete(entry.id);
      this.hooks.dropped(entry, error === timeoutError ? 'timeout' : 'aborted');
    });
    return bounded;
  }

  /** The entry for `id`, left in the table. */
  get(id: number): PendingEntry | undefined {
    return this.entries.get(id);
  }

  /** Removes and returns the entry for `id`. */
  take(id: number): PendingEntry | undefined {
    const entry = this.entries.get(id);
    if (entry !== undefined) this.entries.delete(id);
    return entry;
  }

  /** Removes `entry` if it is still the one under its id; true when it was. */
  remove(entry: PendingEntry): boolean {
    if (this.entries.get(entry.id) !== entry) return false;
    this.entries.delete(entry.id);
    return true;
  }

  /**
   * The one pending command addressing `sid`, or undefined when none or several do: an update or
   * get_snapshot on it, an unsubscribe still waiting for it, or a subscribe with an open slot for
   * `channel` (the channel the sid carries; a subscribe to a held channel merges into that sid).
   */
  soleBySid(sid: number, channel: string | undefined): PendingEntry | undefined {
    let found: PendingEntry | undefined;
    for (const entry of this.entries.values()) {
      let addresses = false;
      if (entry.kind === 'update' || entry.kind === 'snapshot') addresses = entry.sid === sid;
      else if (entry.kind === 'unsubscribe') addresses = entry.remaining.has(sid);
      else if (entry.kind === 'subscribe' && channel !== undefined) {
        addresses = entry.channels.some((c, i) => c === channel && entry.results[i] === undefined);
      }
      if (!addresses) continue;
      if (found !== undefined) return undefined;
      found = entry;
    }
    return found;
  }

  /** Rejects and removes every entry at once (socket closed). */
  rejectAll(error: Error): void {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const entry of all) entry.reject(error);
  }
}
