/**
 * `createConnectionManager`: the self-healing pool (docs/architecture.md). Wires the slots, placement, limiters,
 * output queue, registry and router together; the per-slot work lives in `slot.ts`.
 * @packageDocumentation
 */
import EventEmitter from 'eventemitter3';
import type { Client } from '../client/client';
import { createKalshiClient } from '../client/kalshi-client';
import { ClosedError, PoolStartError, StateError } from '../errors';
import type { SlotFailure } from '../errors';
import type { MarketChange } from '../ports/registry';
import type { Router } from '../ports/router';
import type { RawMessage } from '../raw-message';
import { DedupeWindow } from './dedupe-window';
import { buildLayout } from './layout';
import { ROLES, ROLE_TABLE, needsDedupeWindow } from './roles';
import type { SlotRole } from './roles';
import type { ConnectionManagerEvents, ManagerEventName } from './manager-events';
import { resolveManagerOptions } from './manager-options';
import type { ConnectionManagerOptions, ResolvedManagerOptions } from './manager-options';
import { ManagerCounters, buildStats } from './manager-stats';
import type { ManagerHealth, ManagerState, ManagerStats } from './manager-stats';
import { OutputQueue } from './output-queue';
import { Placement } from './placement';
import { PauseGate } from './pause-gate';
import type { EmitEvent, PoolContext } from './pool-context';
import { wait } from './pool-context';
import { RateLimiter } from './rate-limiter';
import { Slot } from './slot';
import type { ConnectionManager } from './manager-api';
import { MarketPlacer } from './market-placer';
import type { ConnectionStats } from './connection-stats';
import { HealthLoop } from './health-loop';
import { summariseStartFailures, warnStartFailures } from './start-failure-summary';
import { armStopDeadline, whenForced } from './stop-deadline';
import { waitUntilReady } from './readiness';
import type { ReadinessProbe, ReadyOptions } from './readiness';
import type { StopOptions } from './stop-deadline';
import { readBatchOptions, readIterateOptions } from './iterate-options';
import type { BatchOptions, IterateOptions } from './iterate-options';
import type { Logger } from '../ports/logger';
import { validTickerChanges } from '../internal/ticker';

/** Largest batch the router pump takes from the queue at once. */
const ROUTER_BATCH = 64;

export type { ConnectionManager } from './manager-api';

class PoolManager implements ConnectionManager {
  readonly #options: ResolvedManagerOptions;
  readonly #events = new EventEmitter<ConnectionManagerEvents>();
  readonly #counters = new ManagerCounters();
  readonly #queue: OutputQueue;
  readonly #admission: RateLimiter;
  readonly #commands: RateLimiter;
  readonly #placement: Placement;
  readonly #dedupe = new Map<SlotRole, DedupeWindow>();
  readonly #slots: Slot[];
  readonly #placer: MarketPlacer;
  readonly #healthLoop: HealthLoop;
  #state: ManagerState = 'idle';
  #stopping: Promise<void> | undefined;
  #startAbort: AbortController | undefined;
  #unsubscribeRegistry: (() => void) | undefined;
  #pump: Promise<void> | undefined;
  /** Aborted when a `stop()` deadline or signal says to stop waiting for sockets to close. */
  readonly #force = new AbortController();
  #degraded = false;
  /** `start()` resolved: the registry's markets are placed (what `ready()` waits on is known). */
  #started = false;
  readonly #pause = new PauseGate();

  constructor(options: ConnectionManagerOptions) {
    const o = resolveManagerOptions(options);
    this.#options = o;
    this.#queue = new OutputQueue({
      capacity: o.queue.capacity,
      lowWaterMark: o.queue.lowWaterMark,
      policy: o.queue.overflow,
      maxBytes: o.queue.maxBytes,
      onPause: () => this.#setPaused(true),
      onResume: () => this.#setPaused(false),
    });
    this.#admission = new RateLimiter({
      ratePerSecond: o.admission.dialsPerSecond,
      burst: o.admission.burst,
      jitterMs: o.admission.jitterMs,
      clock: o.clock,
      name: 'admission.dialsPerSecond',
    });
    this.#commands = new RateLimiter({
      ratePerSecond: o.commandsPerSecond,
      burst: Math.max(1, Math.ceil(o.commandsPerSecond / 10)),
      clock: o.clock,
      name: 'commandsPerSecond',
    });
    const layout = buildLayout(o.layout);
    this.#placement = new Placement({
      slots: layout.filter((s) => ROLE_TABLE[s.role].scope === 'per-market').map((s) => s.connectionId),
      capacity: o.marketsPerConnection,
    });
    for (const { role } of ROLES) {
      if (needsDedupeWindow(role, o.layout[role], o.redundant)) this.#dedupe.set(role, new DedupeWindow(o.dedupeWindow));
    }
    const ctx = this.#context();
    this.#slots = layout.map((spec) => new Slot(spec, ctx));
    this.#placer = new MarketPlacer(this.#placement, this.#slots, o.logger, ctx.emit);
    this.#healthLoop = new HealthLoop(this.#slots, ctx, () => this.#connectedCount());
  }

  get state(): ManagerState {
    return this.#state;
  }

  #context(): PoolContext {
    // A small view of the manager for the slots; nothing here is reachable from the public object.
    const o = this.#options;
    const isRunning = (): boolean => this.#state === 'running';
    const isStopped = (): boolean => this.#stopping !== undefined;
    const pause = this.#pause;
    const emit: EmitEvent = (event, payload) => this.#emit(event, payload);
    return {
      options: o,
      clock: o.clock,
      logger: o.logger,
      counters: this.#counters,
      queue: this.#queue,
      admission: this.#admission,
      commands: this.#commands,
      placement: this.#placement,
      emit,
      get running() {
        return isRunning();
      },
      get stopped() {
        return isStopped();
      },
      get paused() {
        return pause.paused;
      },
      get pauseEpoch() {
        return pause.epoch;
      },
      pausedSince: (epoch) => pause.pausedSince(epoch),
      whenResumed: (signal) => pause.whenResumed(signal),
      marketsRejected: (tickers) => this.#placer.marketsRejected(tickers),
      dedupeWindow: (role) => this.#dedupe.get(role),
      createClient: (connectionId, generation) => this.#createClient(connectionId, generation),
      lifecycle: (message) => {
        try {
          o.registry.onLifecycle?.(message);
        } catch (error) {
          o.logger.error({ err: error }, 'registry.onLifecycle threw');
        }
      },
      slotStateChanged: () => this.#checkDegraded(),
      slotFull: (connectionId, held, rejected) => this.#placer.slotFull(connectionId, held, rejected),
      retireSlot: (connectionId) => this.#placer.retire(connectionId),
    };
  }

  #emit(event: ManagerEventName, payload: unknown): void {
    try {
      (this.#events.emit as (name: string, value: unknown) => boolean)(event, payload);
    } catch (error) {
      this.#options.logger.error({ event, err: error }, 'a manager event listener threw');
    }
  }

  #createClient(connectionId: number, generation: number): Client {
    const o = this.#options;
    if (o.clientFactory !== undefined) return o.clientFactory({ connectionId, generation });
    return createKalshiClient({
      closeTimeoutMs: o.closeTimeoutMs,
      clock: o.clock,
      logger: o.logger,
      ...o.client,
      url: o.url!,
      signer: o.signer!,
      connectionId,
    });
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async start(signal?: AbortSignal): Promise<void> {
    if (this.#stopping !== undefined) throw new ClosedError('the connection manager was stopped');
    if (this.#state !== 'idle') throw new StateError('start() was already called');
    signal?.throwIfAborted();
    this.#state = 'starting';
    const controller = new AbortController();
    this.#startAbort = controller;
    const onAbort = (): void => void this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const results = await Promise.all(this.#slots.map((slot) => slot.firstDial()));
      this.#throwIfStopped(signal);
      const failures: SlotFailure[] = [];
      results.forEach((error, i) => {
        if (error !== undefined) failures.push({ connectionId: this.#slots[i]!.connectionId, error });
      });
      const healthy = this.#connectedCount();
      const required = this.#options.minHealthyConnections;
      const { logger, url } = this.#options;
      warnStartFailures(logger, failures, url, (id) => this.#slots[id - 1]!.role);
      const summary = summariseStartFailures(failures, url);
      if (healthy < required) throw new PoolStartError(healthy, required, failures, { summary });
      this.#state = 'running';
      if (failures.length === 0) logger.info({ healthy, required, failed: 0 }, 'pool started');
      else logger.warn({ healthy, required, failed: failures.length }, `pool started partially: ${healthy} of ${this.#slots.length} connections up; ${summary}`);
      for (const failure of failures) this.#slots[failure.connectionId - 1]!.afterStartFailure(failure.error);
      const router = this.#options.router;
      if (router !== undefined) this.#pump = this.#runRouter(router);
      for (const slot of this.#slots) slot.restore();
      await this.#startRegistry(controller.signal);
      this.#throwIfStopped(signal);
      this.#checkDegraded();
      this.#healthLoop.start();
      this.#started = true;
    } catch (error) {
      await this.stop();
      if (signal?.aborted === true) throw signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#startAbort = undefined;
    }
  }

  ready(options?: ReadyOptions): Promise<void> {
    const slots = this.#slots;
    const isStopped = (): boolean => this.#stopping !== undefined;
    const isStarted = (): boolean => this.#started;
    const probe: ReadinessProbe = {
      get stopped() {
        return isStopped();
      },
      get started() {
        return isStarted();
      },
      slots,
    };
    return waitUntilReady(probe, options, this.#options.clock);
  }

  #throwIfStopped(signal: AbortSignal | undefined): void {
    if (signal?.aborted === true) throw signal.reason;
    if (this.#stopping !== undefined) throw new ClosedError('the connection manager was stopped during start()');
  }

  async #startRegistry(signal: AbortSignal): Promise<void> {
    const registry = this.#options.registry;
    // Listen first, then read: nothing falls between the two (applying a change twice is harmless).
    this.#unsubscribeRegistry = registry.onChange(this.#onChanges);
    await registry.start?.(signal);
    const markets = await registry.markets(signal);
    if (this.#stopping !== undefined) return;
    const changes: MarketChange[] = [];
    for (const ticker of markets) changes.push({ kind: 'added', ticker });
    this.#onChanges(changes);
  }

  stop(options?: StopOptions): Promise<void> {
    const disarm = armStopDeadline(options, this.#options.clock, this.#force);
    this.#stopping ??= this.#stop();
    return disarm === undefined ? this.#stopping : this.#stopping.finally(disarm);
  }

  async #stop(): Promise<void> {
    const o = this.#options;
    this.#state = 'stopping';
    this.#healthLoop.stop();
    this.#unsubscribeRegistry?.();
    this.#unsubscribeRegistry = undefined;
    this.#startAbort?.abort(new ClosedError('the connection manager was stopped'));
    // Closing the limiters first makes every waiting dial and command reject at once.
    this.#admission.close();
    this.#commands.close();
    this.#pause.close();
    const force = this.#force.signal;
    const onForce = (): void => o.logger.warn({}, 'stop deadline reached: terminating the sockets still open');
    force.addEventListener('abort', onForce, { once: true });
    try {
      await Promise.all(this.#slots.map((slot) => slot.stop(force)));
    } finally {
      force.removeEventListener('abort', onForce);
    }
    try {
      await o.registry.stop?.();
    } catch (error) {
      o.logger.warn({ err: error }, 'registry.stop failed');
    }
    this.#queue.end();
    if (this.#pump !== undefined) await this.#awaitPump(this.#pump);
    this.#state = 'stopped';
    o.logger.info({}, 'pool stopped');
    flushLogger(o.logger);
  }

  async #awaitPump(pump: Promise<void>): Promise<void> {
    // A router that never settles must not hang stop(): give it closeTimeoutMs to drain.
    const controller = new AbortController();
    const forced = whenForced(this.#force.signal);
    try {
      await Promise.race([pump, wait(this.#options.clock, this.#options.closeTimeoutMs, controller.signal), forced.promise]);
    } finally {
      controller.abort();
      forced.dispose();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  // ---- output --------------------------------------------------------------------------------

  messages(options?: IterateOptions): AsyncIterableIterator<RawMessage> {
    const { signal } = readIterateOptions(options);
    this.#checkConsumer();
    return this.#queue.iterate(signal);
  }

  batches(maxBatchOrOptions?: number | BatchOptions): AsyncIterableIterator<RawMessage[]> {
    const { maxBatch, signal } = readBatchOptions(maxBatchOrOptions);
    this.#checkConsumer();
    return this.#queue.batches(maxBatch, signal);
  }

  [Symbol.asyncIterator](): AsyncIterator<RawMessage> {
    return this.messages();
  }

  #checkConsumer(): void {
    if (this.#stopping !== undefined) throw new ClosedError('the connection manager was stopped');
    if (this.#options.router !== undefined) throw new StateError('a router consumes the messages; iterating is not allowed');
  }

  /**
   * Pumps the queue into the router in batches of up to {@link ROUTER_BATCH}: one await per batch when
   * `route` is synchronous, one per message only when it returns a promise (backpressure holds the rest
   * of the batch, which is at most ROUTER_BATCH messages beyond the queue's own bound).
   */
  async #runRouter(router: Router): Promise<void> {
    const iterator = this.#queue.batches(ROUTER_BATCH);
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      for (const message of next.value) {
        try {
          const pending = router.route(message);
          if (pending !== undefined) await pending;
        } catch (error) {
          this.#options.logger.error({ err: error }, 'router.route failed');
          this.#emit('error', { connectionId: message.connectionId, error: error instanceof Error ? error : new Error(String(error)), fatal: false });
        }
      }
    }
  }

  #setPaused(paused: boolean): void {
    this.#options.logger.debug({ paused, queueDepth: this.#queue.size }, paused ? 'output full: pausing reads' : 'resuming reads');
    this.#pause.set(paused);
    for (const slot of this.#slots) slot.setPaused(paused);
  }

  // ---- placement -----------------------------------------------------------------------------

  readonly #onChanges = (changes: readonly MarketChange[]): void => {
    if (this.#state !== 'running') return;
    try {
      this.#placer.apply(validTickerChanges(changes, this.#options.logger));
    } catch (error) {
      this.#options.logger.error({ err: error }, 'applying market changes failed');
    }
  };

  // ---- health --------------------------------------------------------------------------------

  #connectedCount(): number {
    let connected = 0;
    for (const slot of this.#slots) if (slot.connected) connected++;
    return connected;
  }

  #checkDegraded(): void {
    if (this.#state !== 'running') return;
    const connected = this.#connectedCount();
    const required = this.#options.minHealthyConnections;
    const degraded = connected < required;
    if (degraded === this.#degraded) return;
    this.#degraded = degraded;
    if (degraded) this.#options.logger.warn({ connected, required }, 'pool degraded');
    else this.#options.logger.info({ connected, required }, 'pool healthy again');
    this.#emit('degraded', {
      scope: 'pool',
      healthy: !degraded,
      connected,
      required,
      connectionId: undefined,
      role: undefined,
      reason: undefined,
      consecutiveFailures: 0,
    });
  }

  health(): ManagerHealth {
    const now = this.#options.clock.now();
    const connected = this.#connectedCount();
    const required = this.#options.minHealthyConnections;
    return {
      state: this.#state,
      healthy: this.#state === 'running' && connected >= required,
      connected,
      required,
      total: this.#slots.length,
      connections: this.#slots.map((slot) => slot.health(now)),
      placed: this.#placement.placed,
      unplaced: this.#placement.unplaced,
      queueDepth: this.#queue.size,
      paused: this.#queue.paused,
      pendingCommands: this.#counters.commandsPending,
    };
  }

  connectionStats(): ConnectionStats[] {
    return this.#slots.map((slot) => slot.connectionStats());
  }

  stats(): ManagerStats {
    return buildStats(this.#counters, {
      queueDepth: this.#queue.size,
      queueDrops: this.#queue.dropped,
      placed: this.#placement.placed,
      unplaced: this.#placement.unplaced,
    });
  }

  // ---- events --------------------------------------------------------------------------------

  on<E extends ManagerEventName>(event: E, listener: ConnectionManagerEvents[E]): this {
    (this.#events.on as (name: string, fn: unknown) => unknown)(event, listener);
    return this;
  }

  once<E extends ManagerEventName>(event: E, listener: ConnectionManagerEvents[E]): this {
    (this.#events.once as (name: string, fn: unknown) => unknown)(event, listener);
    return this;
  }

  off<E extends ManagerEventName>(event: E, listener?: ConnectionManagerEvents[E]): this {
    (this.#events.off as (name: string, fn?: unknown) => unknown)(event, listener);
    return this;
  }
}

/** Logs the summaries of rate-limited warnings still open (the rate-limited logger has `flush`). */
function flushLogger(logger: Logger): void {
  const flush: unknown = (logger as Partial<Record<'flush', unknown>>).flush;
  if (typeof flush === 'function') (flush as () => void).call(logger);
}

/**
 * Creates the self-healing pool: one `AsyncIterable<RawMessage>` over up to 150 Kalshi connections
 * (docs/architecture.md, docs/lifecycle.md). Validates every option at once.
 * @throws {ConfigError} naming the first bad option.
 * @example
 * const manager = createConnectionManager({ url, signer, registry: createMemoryRegistry(tickers) });
 * await manager.start();
 * for await (const message of manager) handle(message);
 */
export function createConnectionManager(options: ConnectionManagerOptions): ConnectionManager {
  return new PoolManager(options);
}
