/**
 * Shared setup for the fault matrix: the full default layout (150 connections) against the simulator,
 * instrumented so every test can check the END STATE of a fault (markets held again, fresh snapshots,
 * gaps flagged, no duplicates) and the absence of leaks after `stop()` (sockets, timers, listeners).
 */
import { createConnectionManager, createKalshiClient, createMemoryRegistry, systemClock } from 'kalshi-ws-pool';
import { scanEnvelope } from 'kalshi-ws-pool/protocol';
import type {
  Client,
  Clock,
  ConnectionManager,
  ConnectionManagerOptions,
  GapEvent,
  LogFields,
  Logger,
  ManagerClientOptions,
  ManagerErrorEvent,
  MemoryRegistry,
  RawMessage,
  ReconnectedEvent,
  RepairEvent,
  ResubscribeEvent,
  TimerHandle,
} from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator, SimulatorOptions } from 'kalshi-ws-pool/testing';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { consume, signerFor } from '../../helpers/simulator';
import { closeAfterEach, closeAfterTest } from '../../helpers/teardown';
import { tickerOf, waitInSync } from '../manager/pool-helpers';

export { tickerOf, waitInSync };

/** A clock that counts the timers it has armed and not yet fired or cleared (leak check). */
export class TrackingClock implements Clock {
  readonly #active = new Set<TimerHandle>();
  now(): number {
    return systemClock.now();
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = setTimeout(() => {
      this.#active.delete(handle);
      callback();
    }, ms);
    this.#active.add(handle);
    return handle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.#active.delete(handle);
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
  /** Timers armed through this clock and still pending. */
  get active(): number {
    return this.#active.size;
  }
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: LogFields;
  readonly message: string;
}

/** A logger keeping warn/error entries (and counting every message). */
export function captureLogger(): Logger & { entries: LogEntry[]; count(message: string): number } {
  const entries: LogEntry[] = [];
  const counts = new Map<string, number>();
  const log =
    (level: LogEntry['level']) =>
    (fields: LogFields, message: string): void => {
      counts.set(message, (counts.get(message) ?? 0) + 1);
      if (level === 'warn' || level === 'error') entries.push({ level, fields, message });
    };
  return { entries, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), count: (m) => counts.get(m) ?? 0 };
}

type Extra = Partial<Omit<ConnectionManagerOptions, 'clientFactory' | 'url' | 'signer' | 'registry' | 'client' | 'clock' | 'logger'>>;

export interface PoolSetup {
  readonly sim?: SimulatorOptions;
  readonly manager?: Extra;
  readonly client?: ManagerClientOptions;
  /** Start a consumer that collects every message. @default true */
  readonly collect?: boolean;
  /** `factory`: clients built by the test (recorded: dial times, leak checks); `options`: the manager's own `url`+`signer`+`client`. @default 'factory' */
  readonly via?: 'factory' | 'options';
  /** Registry markets (default: the simulator's universe). */
  readonly markets?: (sim: Simulator) => Iterable<string>;
}

export interface ReliabilityPool {
  readonly sim: Simulator;
  readonly manager: ConnectionManager;
  readonly registry: MemoryRegistry;
  readonly messages: RawMessage[];
  /** Every client built (factory mode), oldest first. */
  readonly clients: Client[];
  /** `performance.now()` of every dial (factory mode: when the admission limiter let it through). */
  readonly dials: number[];
  readonly clock: TrackingClock;
  readonly logger: ReturnType<typeof captureLogger>;
  readonly gaps: GapEvent[];
  readonly repairs: RepairEvent[];
  readonly resubscribes: ResubscribeEvent[];
  readonly reconnects: ReconnectedEvent[];
  readonly errors: ManagerErrorEvent[];
  /** Stop the manager and the consumer, check for leaks, close the simulator. */
  close(): Promise<void>;
}

const quietClient: ManagerClientOptions = { commandTimeoutMs: 2_000, dialTimeoutMs: 3_000 };

/**
 * The preamble of every fault-matrix file: records unhandled rejections, and after each test closes every
 * pool the test started (stop, leak checks, simulator closed), then expects no unhandled rejection.
 */
export function useReliabilityPools(): void {
  const unhandled = trackUnhandledRejections();
  closeAfterEach(() => unhandled.expectNone());
}

/** Starts the full default layout with fast admission and small reconnect delays (as test/integration/manager); closed after the test. */
export async function startReliabilityPool(setup: PoolSetup = {}): Promise<ReliabilityPool> {
  const pool = await buildPool(setup);
  try {
    await pool.manager.start();
  } catch (error) {
    await pool.sim.close();
    throw error;
  }
  if (setup.collect !== false) pool.collect();
  return closeAfterTest(pool);
}

/** Like {@link startReliabilityPool} without starting the manager (for stop-during-start); closed after the test. */
export async function createReliabilityPool(setup: PoolSetup = {}): Promise<ReliabilityPool & { collect(): void }> {
  return closeAfterTest(await buildPool(setup));
}

async function buildPool(setup: PoolSetup): Promise<ReliabilityPool & { collect(): void }> {
  const sim = await startSimulator({ markets: 3_000, pingIntervalMs: 0, ...setup.sim });
  const signer = signerFor(sim);
  const registry = createMemoryRegistry(setup.markets?.(sim) ?? sim.markets);
  const clock = new TrackingClock();
  const logger = captureLogger();
  const clients: Client[] = [];
  const dials: number[] = [];
  const clientOptions = { ...quietClient, ...setup.client };
  const common = {
    registry,
    clock,
    logger,
    admission: { dialsPerSecond: 1_000, burst: 150, jitterMs: 0 },
    commandsPerSecond: 2_000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200, stableAfterMs: 60_000 },
    closeTimeoutMs: 1_000,
    ...setup.manager,
  };
  const options =
    setup.via === 'options'
      ? { ...common, url: sim.url, signer, client: clientOptions }
      : {
          ...common,
          clientFactory: ({ connectionId }: { connectionId: number }) => {
            dials.push(performance.now());
            const client = createKalshiClient({ closeTimeoutMs: common.closeTimeoutMs, clock, logger, ...clientOptions, url: sim.url, signer, connectionId });
            clients.push(client);
            return client;
          },
        };
  const manager = createConnectionManager(options as ConnectionManagerOptions);
  const pool = {
    sim,
    manager,
    registry,
    messages: [] as RawMessage[],
    clients,
    dials,
    clock,
    logger,
    gaps: [] as GapEvent[],
    repairs: [] as RepairEvent[],
    resubscribes: [] as ResubscribeEvent[],
    reconnects: [] as ReconnectedEvent[],
    errors: [] as ManagerErrorEvent[],
    close: async () => {},
    collect: () => {},
  };
  manager.on('gap', (e) => pool.gaps.push(e));
  manager.on('repair', (e) => pool.repairs.push(e));
  manager.on('resubscribed', (e) => pool.resubscribes.push(e));
  manager.on('reconnected', (e) => pool.reconnects.push(e));
  manager.on('error', (e) => pool.errors.push(e));
  let reading: Promise<void> = Promise.resolve();
  pool.close = async () => {
    try {
      await manager.stop();
      await reading;
      await expectNoLeaks(pool);
    } finally {
      await sim.close();
    }
  };
  pool.collect = () => {
    reading = consume(manager, (message) => pool.messages.push(message));
  };
  return pool;
}

const CLIENT_EVENTS = ['subscribed', 'close', 'ping', 'pong', 'subscriptionError', 'protocolError', 'error'] as const;

/** After `stop()`: zero sockets at the server, zero timers on the pool clock, no listeners on any client. */
export async function expectNoLeaks(pool: ReliabilityPool): Promise<void> {
  const { manager, sim } = pool;
  expect(manager.state).toBe('stopped');
  const health = manager.health();
  expect(health.connections.every((c) => c.state === 'stopped' || c.state === 'failed')).toBe(true);
  expect(health.pendingCommands).toBe(0);
  await vi.waitFor(() => expect(sim.stats().connectionsOpen).toBe(0), { timeout: 5_000 });
  await vi.waitFor(() => expect(pool.clock.active).toBe(0), { timeout: 2_000 });
  for (const client of pool.clients) {
    expect(client.state).toBe('closed');
    for (const event of CLIENT_EVENTS) expect(client.listenerCount(event)).toBe(0);
    expect((client as { readonly frameSink?: unknown }).frameSink).toBeUndefined();
  }
}

const decoder = new TextDecoder();

/** The raw `msg` of a message, as text (what redundant copies share). */
export function payloadOf(message: RawMessage): string {
  const scan = scanEnvelope(message.data);
  return decoder.decode(message.data.subarray(scan.msgStart, scan.msgEnd));
}

/** Pool slot -> its markets, from the orderbook snapshots received in `messages[from..]`. */
export function snapshotsBySlot(messages: readonly RawMessage[], from = 0): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (let i = from; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.type !== 'orderbook_snapshot') continue;
    const set = out.get(m.connectionId) ?? new Set<string>();
    set.add(tickerOf(m)!);
    out.set(m.connectionId, set);
  }
  return out;
}

/** Markets with an orderbook snapshot in `messages[from..]`. */
export function snapshotMarkets(messages: readonly RawMessage[], from = 0): Set<string> {
  const out = new Set<string>();
  for (let i = from; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.type === 'orderbook_snapshot') out.add(tickerOf(m)!);
  }
  return out;
}

/** The simulator connection holding a market's orderbook sid. */
export function simConnectionOf(sim: Simulator, market: string): number {
  const [id] = sim.connectionsHolding(market);
  if (id === undefined) throw new Error(`no connection holds ${market}`);
  return id;
}

/** Simulator connection ids carrying `channel` (open ones). */
export function simConnectionsWith(sim: Simulator, channel: string): number[] {
  return sim
    .connections()
    .filter((c) => c.open && c.subscriptions.some((s) => s.channel === channel))
    .map((c) => c.id);
}

/**
 * The end state after a fault: every placed market held by exactly one open simulator connection,
 * the server's total equal to placement, and (for `fresh`) a snapshot of each of those markets
 * received after message index `since`.
 */
export async function expectEndState(pool: ReliabilityPool, fresh?: { readonly markets: Iterable<string>; readonly since: number }): Promise<void> {
  await waitInSync(pool.manager);
  const health = pool.manager.health();
  const failedSlots = new Set(health.connections.filter((c) => c.state === 'failed').map((c) => c.connectionId));
  const heldByFailed = health.connections.filter((c) => failedSlots.has(c.connectionId)).reduce((n, c) => n + c.placed, 0);
  expect(pool.sim.stats().marketsSubscribed).toBe(health.placed - heldByFailed);
  if (health.unplaced === 0 && heldByFailed === 0) {
    for (const market of pool.registry.markets()) {
      const holders = pool.sim.connectionsHolding(market).length;
      if (holders !== 1) throw new Error(`${market} is held by ${holders} connections`);
    }
  }
  if (fresh !== undefined) {
    const wanted = [...fresh.markets];
    await vi.waitFor(
      () => {
        const seen = snapshotMarkets(pool.messages, fresh.since);
        const missing = wanted.filter((m) => !seen.has(m));
        if (missing.length > 0) throw new Error(`${missing.length} markets without a fresh snapshot, e.g. ${missing[0]}`);
      },
      { timeout: 10_000, interval: 50 },
    );
  }
}

/** No ticker/trade payload delivered twice (the redundant pairs are deduplicated); returns how many were seen. */
export function expectNoDuplicates(messages: readonly RawMessage[]): number {
  const seen = new Set<string>();
  let count = 0;
  for (const m of messages) {
    if (m.type !== 'ticker' && m.type !== 'trade') continue;
    count++;
    const payload = `${m.type}|${payloadOf(m)}`;
    if (seen.has(payload)) throw new Error(`duplicate ${m.type} delivered: ${payload.slice(0, 120)}`);
    seen.add(payload);
  }
  return count;
}

/** The greatest number of timestamps (ms) falling in any window of `windowMs`. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * Token-bucket conformance: for every pair of dials, the dials between them (inclusive) never exceed
 * `burst + rate * elapsed`, with `slack` dials of tolerance for timer rounding. Returns the worst excess.
 */
export function worstBucketExcess(times: readonly number[], ratePerSecond: number, burst: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i; j < sorted.length; j++) {
      const allowed = burst + (ratePerSecond * (sorted[j]! - sorted[i]!)) / 1000;
      worst = Math.max(worst, j - i + 1 - allowed);
    }
  }
  return worst;
}

/** Records unhandled rejections for the whole file; `expectNone()` in afterEach. */
export function trackUnhandledRejections(): { readonly reasons: unknown[]; expectNone(): void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown): void => {
    reasons.push(reason);
  };
  beforeAll(() => {
    process.on('unhandledRejection', listener);
  });
  afterAll(() => {
    process.off('unhandledRejection', listener);
  });
  return {
    reasons,
    expectNone() {
      expect(reasons.map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r)))).toEqual([]);
    },
  };
}

/** Settle a little so late events land (bounded; used only where "nothing happens" is the assertion). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
