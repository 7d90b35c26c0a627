import type { ConnectionErrorOptions } from '../errors';
import { ProtocolError } from '../errors';
import type { EnvelopeScan } from '../protocol/kalshi/envelope';
import { createEnvelopeScan } from '../protocol/kalshi/envelope';
import { scanEnvelope } from '../protocol/kalshi/envelope-scanner';
import type { ErrorReply, Reply, SubscribedReply, UnsubscribedReply, UpdatedReply } from '../protocol/kalshi/replies';
import { classifyReply, toRejectedError } from '../protocol/kalshi/replies';
import type { FrameSink } from './client';
import type { ClientEventEmit } from './client-emitter';
import type { ClientCounters } from './client-counters';
import type { PendingCommands, PendingEntry, SubscribeEntry } from './pending-commands';

/** The emitter the handler reports to (the client). */
export type FrameEvents = ClientEventEmit;

/**
 * Reads every inbound frame of one connection: scans the envelope into one reused
 * {@link EnvelopeScan}, hands data frames to the {@link FrameSink} (original bytes, no copy), and matches
 * control replies to pending commands. Never throws itself: bad frames become `protocolError` events.
 */
export class FrameHandler {
  private readonly scan: EnvelopeScan = createEnvelopeScan();
  /** Where frames go (the client's `setFrameSink`); frames are dropped while unset. */
  sink: FrameSink | undefined;
  /** Channel of each sid this connection was granted (from accepted `subscribed` replies). */
  private readonly channels = new Map<number, string>();

  constructor(
    private readonly events: FrameEvents,
    private readonly pending: PendingCommands,
    private readonly counters: ClientCounters,
    private readonly context: ConnectionErrorOptions,
    private readonly now: () => number,
  ) {}

  /** Hot path: one inbound message. */
  handle(data: Uint8Array, isBinary: boolean, receivedAt: number): void {
    const counters = this.counters;
    counters.messagesReceived += 1;
    counters.bytesReceived += data.byteLength;
    counters.lastFrameAt = receivedAt;
    if (isBinary) {
      this.protocolError('binary', `binary frame of ${data.byteLength} bytes (Kalshi sends text only)`);
      return;
    }
    const scan = scanEnvelope(data, this.scan);
    if (!scan.ok) {
      this.protocolError(scan.failure ?? 'invalid', `unreadable frame (${scan.failure ?? 'invalid'}) of ${data.byteLength} bytes`);
      return;
    }
    const reply = classifyReply(data, scan);
    if (reply === undefined) {
      // Read before emitting: listeners may not keep the scan, but they run before we look again.
      const id = scan.id;
      this.sink?.(data, receivedAt, scan);
      if (id !== undefined && this.pending.size > 0) this.snapshotArrived(id);
      return;
    }
    this.reply(reply, data, receivedAt, scan);
  }

  /** A socket-level error: frame errors of `ws` or the native transport (`WS_ERR_*`: oversized, bad UTF-8, bad opcode) are protocol errors. */
  socketError(error: Error): void {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) return;
    const reason = code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'oversized' : 'invalid-frame';
    this.protocolError(reason, `${error.message} (${code})`);
  }

  private reply(reply: Reply, data: Uint8Array, receivedAt: number, scan: EnvelopeScan): void {
    switch (reply.kind) {
      case 'subscribed':
        this.subscribed(reply);
        return;
      case 'updated':
        // `ok` with sid takes a seq on that sid: the seq tracker must see it.
        this.sink?.(data, receivedAt, scan);
        this.updated(reply);
        return;
      case 'unsubscribed':
        if (reply.sid !== undefined) this.sink?.(data, receivedAt, scan);
        this.unsubscribed(reply);
        return;
      case 'error':
        if (reply.sid !== undefined) this.sink?.(data, receivedAt, scan);
        this.error(reply);
        return;
      case 'list': {
        const entry = this.entryFor(reply.id);
        if (entry?.kind === 'list') this.answer(entry, () => entry.resolve(reply.subscriptions.map((s) => ({ ...s }))));
        else this.unexpected(entry, reply.id, 'list');
        return;
      }
      case 'ok': {
        const entry = this.entryFor(reply.id);
        if (entry === undefined || entry.kind === 'snapshot') {
          if (entry === undefined) this.late(reply.id);
          return; // get_snapshot has no ok in Kalshi's protocol; if one comes, the snapshots still decide
        }
        if (entry.kind === 'update') {
          this.answer(entry, () => entry.resolve({ sid: entry.sid, action: entry.action, seq: undefined, snapshots: 0 }));
        } else if (entry.kind === 'unsubscribe') {
          this.answer(entry, () => entry.resolve({ sids: entry.confirmed.length > 0 ? [...entry.confirmed] : [...entry.sids] }));
        } else if (entry.kind === 'list') {
          this.answer(entry, () => entry.resolve([]));
        } else {
          this.unexpected(entry, reply.id, 'ok');
        }
        return;
      }
      case 'malformed': {
        const error = this.protocolError('malformed-reply', reply.reason);
        const entry = this.entryFor(reply.id);
        if (entry !== undefined && this.pending.remove(entry)) entry.reject(error);
        return;
      }
    }
  }

  private subscribed(reply: SubscribedReply): void {
    // Only a reply to a waiting subscribe, for a channel it asked for and has not been granted yet, is
    // trusted: an unsolicited `subscribed` must not open a sid upstream (nor grow its trackers).
    const entry = this.entryFor(reply.id);
    if (entry?.kind !== 'subscribe') {
      if (entry === undefined && reply.id === undefined) this.protocolError('unexpected-reply', `unsolicited subscribed (sid ${reply.sid}) ignored`);
      else this.unexpected(entry, reply.id, 'subscribed'); // a late reply (counted) or one to another command
      return;
    }
    const slot = entry.results.findIndex((r, i) => r === undefined && entry.channels[i] === reply.channel);
    if (slot < 0) {
      this.protocolError('unexpected-reply', `subscribed for ${reply.channel} (sid ${reply.sid}) not asked by ${entry.cmd} (id ${entry.id}) ignored`);
      return;
    }
    this.channels.set(reply.sid, reply.channel);
    // Synchronously, before the promise settles: the seq tracker opens the sid before its first snapshot.
    this.events.emit('subscribed', { sid: reply.sid, channel: reply.channel, id: entry.id });
    this.fillSlot(entry, reply.sid, reply.channel);
  }

  private updated(reply: UpdatedReply): void {
    const entry = this.entryFor(reply.id);
    if (entry === undefined) {
      this.late(reply.id);
      return;
    }
    switch (entry.kind) {
      case 'update':
        this.answer(entry, () => entry.resolve({ sid: reply.sid, action: entry.action, seq: reply.seq, snapshots: 0 }));
        return;
      case 'subscribe': {
        // A subscribe merged into an existing sid is answered with `ok` + sid: it fills the next open slot.
        const known = this.channels.get(reply.sid);
        const slot = entry.results.indexOf(undefined);
        this.fillSlot(entry, reply.sid, known ?? entry.channels[slot] ?? '');
        return;
      }
      case 'unsubscribe':
        this.answer(entry, () => entry.resolve({ sids: [...entry.sids] }));
        return;
      case 'snapshot':
        return;
      case 'list':
        this.unexpected(entry, reply.id, 'ok with sid');
    }
  }

  private unsubscribed(reply: UnsubscribedReply): void {
    const sid = reply.sid;
    if (sid !== undefined) this.channels.delete(sid);
    let entry = this.entryFor(reply.id);
    if (entry === undefined && reply.id === undefined && sid !== undefined) entry = this.pending.soleBySid(sid, undefined);
    if (entry?.kind !== 'unsubscribe') {
      if (reply.id !== undefined) this.unexpected(entry, reply.id, 'unsubscribed');
      return; // server-side unsubscribe of a sid nobody asked about: the frame event is enough
    }
    // Only sids the command asked for count, each once (a Set: linear in the replies, whatever they hold).
    if (sid !== undefined) {
      if (!entry.remaining.delete(sid)) return;
      entry.confirmed.push(sid);
    }
    if (sid === undefined || entry.remaining.size === 0) {
      this.answer(entry, () => entry.resolve({ sids: [...entry.confirmed] }));
    }
  }

  private error(reply: ErrorReply): void {
    this.counters.error('rejected');
    let entry = this.entryFor(reply.id);
    // A sid-scoped error without id belongs to the pending command on that sid when there is exactly one.
    if (entry === undefined && reply.id === undefined && reply.sid !== undefined) {
      entry = this.pending.soleBySid(reply.sid, this.channels.get(reply.sid));
    }
    if (entry !== undefined) {
      const error = toRejectedError(reply, { ...this.context, command: entry.cmd });
      this.answer(entry, () => entry.reject(error));
      return;
    }
    if (reply.id !== undefined) this.counters.error('late-reply');
    const error = toRejectedError(reply, this.context);
    if (reply.sid !== undefined) this.events.emit('subscriptionError', { sid: reply.sid, error });
    else if (reply.id === undefined) this.events.emit('error', error);
  }

  /** A data frame carrying a command id: a `get_snapshot` snapshot. */
  private snapshotArrived(id: number): void {
    const entry = this.pending.get(id);
    if (entry?.kind !== 'snapshot') return;
    entry.received += 1;
    if (entry.received >= entry.expected) {
      this.answer(entry, () =>
        entry.resolve({ sid: entry.sid, action: 'get_snapshot', seq: undefined, snapshots: entry.received }),
      );
    }
  }

  /**
   * A later command on this connection was answered, so the server is done with `get_snapshot` `id`
   * (it handles one connection's commands in order): settle it with the snapshots that came, however
   * few (markets the sid does not hold get none).
   */
  snapshotBarrier(id: number): void {
    const entry = this.pending.get(id);
    if (entry?.kind !== 'snapshot') return;
    this.answer(entry, () =>
      entry.resolve({ sid: entry.sid, action: 'get_snapshot', seq: undefined, snapshots: entry.received }),
    );
  }

  private fillSlot(entry: SubscribeEntry, sid: number, channel: string): void {
    // Request order: the first open slot asking for this channel, else the first open slot.
    let slot = entry.results.findIndex((r, i) => r === undefined && entry.channels[i] === channel);
    if (slot < 0) slot = entry.results.indexOf(undefined);
    if (slot < 0) return;
    entry.results[slot] = { sid, channel };
    entry.filled += 1;
    if (entry.filled === entry.results.length) {
      this.answer(entry, () => entry.resolve(entry.results.filter((r) => r !== undefined)));
    }
  }

  /** Removes the entry, counts the answer and its latency, then settles it. */
  private answer(entry: PendingEntry, settle: () => void): void {
    if (!this.pending.remove(entry)) return;
    this.counters.commandAnswered(entry.cmd, this.now() - entry.sentAt);
    settle();
  }

  private entryFor(id: number | undefined): PendingEntry | undefined {
    return id === undefined ? undefined : this.pending.get(id);
  }

  private late(id: number | undefined): void {
    if (id !== undefined) this.counters.error('late-reply');
  }

  private unexpected(entry: PendingEntry | undefined, id: number | undefined, what: string): void {
    if (entry === undefined) {
      this.late(id);
      return;
    }
    const error = this.protocolError('unexpected-reply', `${what} reply to ${entry.cmd} (id ${entry.id})`);
    if (this.pending.remove(entry)) entry.reject(error);
  }

  private protocolError(reason: string, message: string): ProtocolError {
    this.counters.error('protocol');
    const on = this.context.connectionId === undefined ? '' : ` on connection ${this.context.connectionId}`;
    const error = new ProtocolError(reason, `${message}${on}`, this.context);
    this.events.emit('protocolError', error);
    return error;
  }
}
