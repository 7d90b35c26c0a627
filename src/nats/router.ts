/**
 * `createJetStreamRouter`: a `Router` that publishes every data frame to NATS JetStream with a
 * bounded number of publishes in flight, retrying unacknowledged ones with the same message id.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { ClosedError, StateError } from '../errors';
import type { Router } from '../ports/router';
import type { RawMessage } from '../raw-message';
import { NatsConnectError } from './errors';
import { NATS_HEADERS } from './headers';
import { resolveRouterOptions } from './router-options';
import type { JetStreamRouterOptions, ResolvedRouterOptions } from './router-options';
import { ensureStream } from './stream';
import { identifyFrame, isControlType, subjectToken } from './subject';

/** Counters of a router, as a plain snapshot. */
export interface JetStreamRouterStats {
  /** Frames handed to `route()` and published (first attempts). */
  readonly published: number;
  /** Publishes acknowledged by JetStream (stored, or recognised as duplicates). */
  readonly acknowledged: number;
  /** Acks that said `duplicate`: another replica (or an earlier attempt) already stored that id. */
  readonly duplicates: number;
  /** Publish attempts repeated after a timeout or a connection error, with the same id. */
  readonly retries: number;
  /** Publishes awaiting an ack now. */
  readonly inFlight: number;
  /** Command replies and sid-less frames not published. */
  readonly skipped: number;
  /** Publishes still unacknowledged when `stop()` gave up waiting (0 after a clean stop). */
  readonly abandoned: number;
}

/** A {@link Router} backed by JetStream. Call `start()` before handing it to the manager, `stop()` after the manager stopped. */
export interface JetStreamRouter extends Router {
  /** This gatherer's id. */
  readonly gathererId: string;
  /** Random id of this process run, written to the `Kwp-Run` header. */
  readonly runId: string;
  /**
   * Connect, then check (or provision) the stream. Idempotent while running.
   * @throws {NatsConnectError} when NATS is unreachable. @throws {NatsStreamError} when the stream is missing or does not cover the subjects.
   */
  start(signal?: AbortSignal): Promise<void>;
  /** Wait up to `drainTimeoutMs` for unacknowledged publishes, then close the connection. Idempotent. */
  stop(): Promise<void>;
  /** Counter snapshot. */
  stats(): JetStreamRouterStats;
}

interface Pending {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly msgID: string;
  readonly headers: MsgHdrs;
}

class JetStreamRouterImpl implements JetStreamRouter {
  readonly gathererId: string;
  readonly runId = randomBytes(6).toString('hex');
  readonly #o: ResolvedRouterOptions;
  #nc: NatsConnection | undefined;
  #js: JetStreamClient | undefined;
  #state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  #starting: Promise<void> | undefined;
  #counter = 0;
  #published = 0;
  #acknowledged = 0;
  #duplicates = 0;
  #retries = 0;
  #inFlight = 0;
  #skipped = 0;
  #abandoned = 0;
  readonly #slotWaiters: (() => void)[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  readonly #timers = new Set<unknown>();

  constructor(options: JetStreamRouterOptions) {
    this.#o = resolveRouterOptions(options);
    this.gathererId = this.#o.gathererId;
  }

  start(signal?: AbortSignal): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return Promise.reject(new ClosedError('router is stopped'));
    this.#starting ??= this.#start(signal);
    return this.#starting;
  }

  async #start(signal?: AbortSignal): Promise<void> {
    this.#state = 'starting';
    signal?.throwIfAborted();
    const o = this.#o;
    try {
      this.#nc = await connect({
        servers: o.servers,
        timeout: o.connectTimeoutMs,
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        name: `kalshi-ws-pool:${o.gathererId}`,
        // Async stack traces cost an Error per publish; the router's errors carry their own context.
        noAsyncTraces: true,
      });
    } catch (error) {
      this.#state = 'stopped';
      throw new NatsConnectError(o.servers.join(','), { cause: error });
    }
    try {
      signal?.throwIfAborted();
      await ensureStream(await jetstreamManager(this.#nc), o.stream, o.subjectPrefix, o.provision);
      this.#js = jetstream(this.#nc, { timeout: o.ackTimeoutMs });
      this.#state = 'running';
    } catch (error) {
      this.#state = 'stopped';
      await this.#nc.close().catch(() => undefined);
      throw error;
    }
  }

  route(message: RawMessage): void | Promise<void> {
    if (this.#state !== 'running') {
      throw this.#state === 'stopping' || this.#state === 'stopped' ? new ClosedError('router is stopped') : new StateError('router.start() has not finished');
    }
    if (message.sid === undefined || isControlType(message.type)) {
      this.#skipped++;
      return;
    }
    const pending = this.#build(message);
    if (this.#inFlight < this.#o.maxInFlight) {
      this.#launch(pending);
      return;
    }
    // Backpressure: the manager awaits this before handing over the next message.
    return new Promise<void>((resolve) => this.#slotWaiters.push(resolve)).then(() => this.#launch(pending));
  }

  #build(m: RawMessage): Pending {
    const o = this.#o;
    const { ticker, sharedId } = identifyFrame(m.type, m.data);
    const h = natsHeaders();
    h.set(NATS_HEADERS.gatherer, o.gathererId);
    h.set(NATS_HEADERS.run, this.runId);
    h.set(NATS_HEADERS.connection, String(m.connectionId));
    if (m.sid !== undefined) h.set(NATS_HEADERS.sid, String(m.sid));
    if (m.seq !== undefined) h.set(NATS_HEADERS.seq, String(m.seq));
    if (m.seqGap) h.set(NATS_HEADERS.seqGap, '1');
    if (m.gapSize !== 0) h.set(NATS_HEADERS.gapSize, String(m.gapSize));
    h.set(NATS_HEADERS.receivedAt, String(m.receivedAt));
    // Per-gatherer ids: unique per accepted frame of this run, so only a retry of the same publish dedupes.
    const msgID = sharedId ?? `${o.gathererId}.${this.runId}.${++this.#counter}`;
    return { subject: `${o.subjectPrefix}.${m.type}.${subjectToken(ticker)}`, data: m.data, msgID, headers: h };
  }

  #launch(p: Pending): void {
    this.#inFlight++;
    this.#published++;
    void this.#publish(p);
  }

  async #publish(p: Pending): Promise<void> {
    const o = this.#o;
    let delay = o.retryDelayMs;
    for (;;) {
      const js = this.#js;
      if (js === undefined || this.#state === 'stopped') {
        this.#abandoned++;
        break;
      }
      try {
        const ack = await js.publish(p.subject, p.data, { msgID: p.msgID, headers: p.headers, timeout: o.ackTimeoutMs });
        this.#acknowledged++;
        if (ack.duplicate) this.#duplicates++;
        break;
      } catch {
        if ((this.#state as string) === 'stopped') {
          this.#abandoned++;
          break;
        }
        this.#retries++;
        await this.#sleep(delay);
        delay = Math.min(delay * 2, o.maxRetryDelayMs);
      }
    }
    this.#inFlight--;
    this.#slotWaiters.shift()?.();
    if (this.#inFlight === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.#o.clock.setTimeout(() => {
        this.#timers.delete(handle);
        resolve();
      }, ms);
      this.#timers.add(handle);
    });
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    if (this.#state === 'starting') await this.#starting?.catch(() => undefined);
    this.#state = 'stopping';
    if (this.#inFlight > 0) {
      let timer: unknown;
      await new Promise<void>((resolve) => {
        this.#idleWaiters.push(resolve);
        timer = this.#o.clock.setTimeout(resolve, this.#o.drainTimeoutMs);
      });
      this.#o.clock.clearTimeout(timer);
    }
    this.#state = 'stopped';
    for (const t of this.#timers) this.#o.clock.clearTimeout(t);
    this.#timers.clear();
    this.#abandoned += this.#inFlight;
    this.#inFlight = 0;
    for (const wake of this.#slotWaiters.splice(0)) wake();
    await this.#nc?.close().catch(() => undefined);
  }

  stats(): JetStreamRouterStats {
    return {
      published: this.#published,
      acknowledged: this.#acknowledged,
      duplicates: this.#duplicates,
      retries: this.#retries,
      inFlight: this.#inFlight,
      skipped: this.#skipped,
      abandoned: this.#abandoned,
    };
  }
}

/**
 * Create a {@link JetStreamRouter}: pass it as the manager's `router`. Each data frame goes to
 * `<prefix>.<type>.<market>` with the headers of {@link NATS_HEADERS}; trades, ticker and lifecycle frames
 * get ids shared by every replica (stored once within the duplicate window), orderbook frames per-gatherer
 * ids (only retries dedupe). See docs/scale-out.md.
 * @throws {ConfigError} for a bad option.
 * @example
 * const router = createJetStreamRouter({ servers: 'nats://127.0.0.1:4222', gathererId: 'shard0-a', provision: {} });
 * await router.start();
 * const manager = createConnectionManager({ url, signer, registry, router });
 */
export function createJetStreamRouter(options: JetStreamRouterOptions): JetStreamRouter {
  return new JetStreamRouterImpl(options);
}
