/**
 * `createJetStreamSource`: read a JetStream stream written by one or more gatherers as one
 * AsyncIterable of RawMessage-shaped messages, merged per market by {@link Merger}.
 * @packageDocumentation
 */
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConfigError, StateError } from '../errors';
import { NatsConnectError } from './errors';
import { NATS_HEADERS } from './headers';
import { Merger } from './merger';
import type { JetStreamMessage, MergerStats } from './merger';
import { positiveInt, resolveServers, token } from './router-options';
import { ensureStream } from './stream';
import { tickerFromToken } from './subject';

/** Options of {@link createJetStreamSource}. Only `servers` is required. */
export interface JetStreamSourceOptions {
  /** NATS server URL(s). */
  readonly servers: string | readonly string[];
  /** Stream to read. @default 'KALSHI' */
  readonly stream?: string;
  /** Subject prefix the routers use. @default 'kalshi' */
  readonly subjectPrefix?: string;
  /** Where to start: `new` (only what arrives from now on) or `all` (the whole retained stream). @default 'new' */
  readonly deliver?: 'new' | 'all';
  /** A gatherer silent this long (by its `receivedAt` stamps) loses its markets to a replica. @default 3_000 */
  readonly silenceMs?: number;
  /** Deltas buffered per market per standby gatherer. @default 10_000 */
  readonly maxBufferedDeltas?: number;
  /** Trade/ticker/lifecycle ids remembered to drop duplicates older than the server's window. @default 100_000 */
  readonly dedupeWindow?: number;
  /** Dial timeout. @default 5_000 */
  readonly connectTimeoutMs?: number;
  /** Ends the iteration when aborted. */
  readonly signal?: AbortSignal;
}

/** Defaults of {@link JetStreamSourceOptions}. */
export const JETSTREAM_SOURCE_DEFAULTS = Object.freeze({
  /** Default of `stream`: 'KALSHI'. */
  stream: 'KALSHI',
  /** Default of `subjectPrefix`: 'kalshi'. */
  subjectPrefix: 'kalshi',
  /** Default of `deliver`: 'new'. */
  deliver: 'new' as 'new' | 'all',
  /** Default of `silenceMs`: 3_000. */
  silenceMs: 3_000,
  /** Default of `maxBufferedDeltas`: 10_000. */
  maxBufferedDeltas: 10_000,
  /** Default of `dedupeWindow`: 100_000. */
  dedupeWindow: 100_000,
  /** Default of `connectTimeoutMs`: 5_000. */
  connectTimeoutMs: 5_000,
});

/** Counters of a source. */
export interface JetStreamSourceStats extends MergerStats {
  /** Messages read from the stream. */
  readonly received: number;
}

/** A merged view of the stream. Iterate it once; `close()` ends the iteration. */
export interface JetStreamSource extends AsyncIterable<JetStreamMessage> {
  /**
   * Connect and open the consumer (the first iteration does it too). Resolves when reading has begun.
   * @throws {NatsConnectError} NATS unreachable. @throws {NatsStreamError} stream missing or not covering the prefix.
   */
  ready(): Promise<void>;
  /** Counter snapshot. */
  stats(): JetStreamSourceStats;
  /** Stop reading and close the connection. Idempotent. */
  close(): Promise<void>;
}

function int(h: JsMsg['headers'], name: string): number | undefined {
  const v = h?.get(name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

class JetStreamSourceImpl implements JetStreamSource {
  readonly #servers: string[];
  readonly #stream: string;
  readonly #prefix: string;
  readonly #deliver: 'new' | 'all';
  readonly #timeout: number;
  readonly #merger: Merger;
  readonly #signal: AbortSignal | undefined;
  #nc: NatsConnection | undefined;
  #messages: ConsumerMessages | undefined;
  #ready: Promise<void> | undefined;
  #iterating = false;
  #closed = false;
  #received = 0;
  /** Consumer-local connection ids, one per (gatherer run, gatherer connection); see {@link storeSafe}. */
  readonly #connectionIds = new Map<string, number>();

  constructor(o: JetStreamSourceOptions) {
    if (o === null || typeof o !== 'object') throw new ConfigError('options', 'must be an object');
    const d = JETSTREAM_SOURCE_DEFAULTS;
    this.#servers = resolveServers(o.servers);
    this.#stream = token('stream', o.stream, d.stream);
    this.#prefix = token('subjectPrefix', o.subjectPrefix, d.subjectPrefix);
    const deliver = o.deliver ?? d.deliver;
    if (deliver !== 'new' && deliver !== 'all') throw new ConfigError('deliver', `must be 'new' or 'all', got ${String(deliver)}`);
    this.#deliver = deliver;
    this.#timeout = positiveInt('connectTimeoutMs', o.connectTimeoutMs, d.connectTimeoutMs);
    this.#merger = new Merger({
      silenceMs: positiveInt('silenceMs', o.silenceMs, d.silenceMs),
      maxBufferedDeltas: positiveInt('maxBufferedDeltas', o.maxBufferedDeltas, d.maxBufferedDeltas),
      dedupeWindow: positiveInt('dedupeWindow', o.dedupeWindow, d.dedupeWindow),
    });
    this.#signal = o.signal;
  }

  ready(): Promise<void> {
    this.#ready ??= this.#open();
    return this.#ready;
  }

  async #open(): Promise<void> {
    try {
      this.#nc = await connect({ servers: this.#servers, timeout: this.#timeout, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    } catch (error) {
      throw new NatsConnectError(this.#servers.join(','), { cause: error });
    }
    try {
      await ensureStream(await jetstreamManager(this.#nc), this.#stream, this.#prefix, false);
      const consumer = await jetstream(this.#nc).consumers.get(this.#stream, {
        // One subject as a string: nats-server 2.9 has no multi-filter consumers.
        filter_subjects: `${this.#prefix}.>`,
        deliver_policy: this.#deliver === 'all' ? DeliverPolicy.All : DeliverPolicy.New,
      });
      this.#messages = await consumer.consume();
    } catch (error) {
      await this.#nc.close().catch(() => undefined);
      throw error;
    }
    this.#signal?.addEventListener('abort', () => void this.close(), { once: true });
    if (this.#closed) await this.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<JetStreamMessage> {
    if (this.#iterating) throw new StateError('a JetStreamSource has one reader');
    this.#iterating = true;
    await this.ready();
    const out: JetStreamMessage[] = [];
    for await (const jm of this.#messages!) {
      this.#received++;
      const message = this.#toMessage(jm);
      if (message === undefined) continue;
      out.length = 0;
      this.#merger.push({ message, msgId: jm.headers?.get('Nats-Msg-Id') }, out);
      for (const m of out) yield this.#storeSafe(m);
      if (this.#closed) break;
    }
  }

  #toMessage(jm: JsMsg): JetStreamMessage | undefined {
    const h = jm.headers;
    const gathererId = h?.get(NATS_HEADERS.gatherer);
    if (gathererId === undefined || gathererId === '') return undefined; // not written by a router
    const parts = jm.subject.split('.');
    return {
      data: jm.data,
      connectionId: int(h, NATS_HEADERS.connection) ?? 0,
      receivedAt: int(h, NATS_HEADERS.receivedAt) ?? 0,
      type: parts[parts.length - 2] ?? '',
      sid: int(h, NATS_HEADERS.sid),
      seq: int(h, NATS_HEADERS.seq),
      seqGap: h?.get(NATS_HEADERS.seqGap) === '1',
      gapSize: int(h, NATS_HEADERS.gapSize) ?? 0,
      gathererId,
      runId: h?.get(NATS_HEADERS.run) ?? '',
      marketTicker: tickerFromToken(parts[parts.length - 1] ?? '_'),
      streamSequence: jm.seq,
      failover: false,
    };
  }

  /**
   * Make the output safe for a book store, which tracks trust and seq per (connectionId, sid):
   * - every gatherer numbers its connections from 1 (and a restarted one starts over), so `connectionId` is
   *   replaced by a consumer-local id, distinct per (gatherer, run, connection), assigned in order of appearance;
   * - a failover replays the new lane's snapshot and buffered deltas, whose seq is older than what that sid
   *   already delivered for its other markets; `seq` is dropped on those replayed messages so the store does
   *   not read them as a reused sid.
   */
  #storeSafe(m: JetStreamMessage): JetStreamMessage {
    const key = `${m.gathererId}/${m.runId}/${m.connectionId}`;
    let connectionId = this.#connectionIds.get(key);
    if (connectionId === undefined) this.#connectionIds.set(key, (connectionId = this.#connectionIds.size + 1));
    return m.failover ? { ...m, connectionId, seq: undefined } : { ...m, connectionId };
  }

  stats(): JetStreamSourceStats {
    return { received: this.#received, ...this.#merger.stats() };
  }

  async close(): Promise<void> {
    if (this.#closed && this.#nc === undefined) return;
    this.#closed = true;
    const nc = this.#nc;
    this.#nc = undefined;
    await this.#messages?.close().catch(() => undefined);
    await nc?.close().catch(() => undefined);
  }
}

/**
 * Create a {@link JetStreamSource}: per market, one in-order orderbook stream from one gatherer at a time,
 * failing over (from that gatherer's latest snapshot) when it gaps or goes silent; trades, ticker and lifecycle
 * frames once each. The yielded messages are `RawMessage`s, so they feed anything that reads the pool.
 * @throws {ConfigError} for a bad option.
 * @example
 * const source = createJetStreamSource({ servers: 'nats://127.0.0.1:4222' });
 * for await (const m of source) apply(m);
 */
export function createJetStreamSource(options: JetStreamSourceOptions): JetStreamSource {
  return new JetStreamSourceImpl(options);
}
