/**
 * `registerPrometheusMetrics`: exposes a connection manager's counters as prom-client metrics.
 *
 * Everything is read at scrape time in `collect()` callbacks from `stats()`, `health()` and
 * `connectionStats()` (one snapshot per scrape), so the frame path does nothing for metrics. Counters
 * mirror monotonic totals: each scrape `reset()`s the prom-client Counter and `inc()`s it by the current
 * total, which prom-client supports and which keeps the `counter` type. The command-duration histogram is
 * observed from the manager's `command` event (one per command, never per data frame); see
 * docs/decisions/metrics-command-duration.md. Labels are bounded: `connection` (slot id), `role`, `cmd`,
 * `type`, `status`, `outcome`, `reason`, `state`; never market tickers.
 * @packageDocumentation
 */
import { Counter, Gauge, Histogram, register as globalRegister } from 'prom-client';
import type { OpenMetricsContentType, PrometheusContentType, Registry } from 'prom-client';
import { ConfigError } from '../errors';
import { readOptions, requireMethods } from '../internal/validate';
import type { ConnectionStats } from '../manager/connection-stats';
import type { ConnectionManager } from '../manager/manager-api';
import type { CommandEvent } from '../manager/manager-events';
import type { ManagerHealth, ManagerStats } from '../manager/manager-stats';
import { METRIC_NAMES } from './metric-names';

/** What the adapter reads from a manager. */
export type MetricsSource = Pick<ConnectionManager, 'stats' | 'health' | 'connectionStats' | 'on' | 'off'>;

/** Options of {@link registerPrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** Where to register. @default the prom-client global `register` */
  readonly registry?: Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;
  /** Prepended to every metric name, e.g. `'gatherer_'`. @default '' */
  readonly prefix?: string;
  /** Buckets of `ws_client_command_duration_seconds`, in seconds. @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] */
  readonly buckets?: readonly number[];
}

/** Handle returned by {@link registerPrometheusMetrics}. */
export interface PrometheusMetrics {
  /** Remove every metric from the registry and stop listening to the manager. Idempotent. */
  unregister(): void;
}

/** Defaults of {@link PrometheusMetricsOptions}. */
export const prometheusMetricsDefaults = Object.freeze({
  /** No prefix: the names of {@link METRIC_NAMES} as they are. */
  prefix: '',
  /** Command-duration histogram buckets, seconds (5 ms to 10 s). */
  buckets: Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
});

interface Scrape {
  readonly stats: ManagerStats;
  readonly health: ManagerHealth;
  readonly connections: readonly ConnectionStats[];
}

type ConnLabel = 'connection' | 'role';

function validate(options: PrometheusMetricsOptions): { prefix: string; buckets: number[] } {
  readOptions(options, '', ['registry', ...Object.keys(prometheusMetricsDefaults)]);
  if (options.registry !== undefined) requireMethods(options.registry, 'registry', ['getSingleMetric', 'registerMetric']);
  const prefix = options.prefix ?? prometheusMetricsDefaults.prefix;
  if (typeof prefix !== 'string' || (prefix !== '' && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix))) {
    throw new ConfigError('prefix', `must be empty or a valid metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${String(prefix)}`);
  }
  const buckets = options.buckets ?? prometheusMetricsDefaults.buckets;
  if (!Array.isArray(buckets) || buckets.length === 0 || !buckets.every((b) => typeof b === 'number' && Number.isFinite(b) && b > 0)) {
    throw new ConfigError('buckets', 'must be a non-empty array of positive finite numbers (seconds)');
  }
  return { prefix, buckets: [...(buckets as number[])].sort((a, b) => a - b) };
}

function connLabels(c: ConnectionStats): Record<ConnLabel, string> {
  return { connection: String(c.connectionId), role: c.role };
}

/**
 * Registers the pool's metrics (see docs/metrics.md for every name, type and label) on a prom-client
 * registry. prom-client (14 or 15) is an optional peer dependency needed only by this subpath.
 * @throws {ConfigError} for a bad `prefix` or `buckets`, or when a metric of the same name is already
 * registered (call `unregister()` of the earlier registration first).
 * @example
 * import { registerPrometheusMetrics } from 'kalshi-ws-pool/prometheus';
 * import { register } from 'prom-client';
 * const metrics = registerPrometheusMetrics(manager);
 * http.createServer(async (_req, res) => res.end(await register.metrics())).listen(9464);
 */
export function registerPrometheusMetrics(manager: MetricsSource, options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const { prefix, buckets } = validate(options);
  const registry = options.registry ?? globalRegister;
  const names = Object.values(METRIC_NAMES).map((name) => prefix + name);
  for (const name of names) {
    if (registry.getSingleMetric(name) !== undefined) throw new ConfigError('registry', `already has a metric named ${name}`);
  }
  const registers = [registry];
  const n = (name: string): string => prefix + name;

  // One snapshot per scrape: prom-client calls every collect() synchronously within one `metrics()`.
  let cached: Scrape | undefined;
  const read = (): Scrape => {
    if (cached === undefined) {
      cached = { stats: manager.stats(), health: manager.health(), connections: manager.connectionStats() };
      queueMicrotask(() => {
        cached = undefined;
      });
    }
    return cached;
  };

  /** A counter mirroring monotonic totals, refilled at each scrape. */
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (set: (labels: Record<L, string>, total: number) => void, scrape: Scrape) => void): void => {
    new Counter<L>({
      name: n(name),
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        fill((labels, total) => this.inc(labels, total), read());
      },
    });
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (set: (labels: Record<L, string>, value: number) => void, scrape: Scrape) => void): void => {
    new Gauge<L>({
      name: n(name),
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        fill((labels, value) => this.set(labels, value), read());
      },
    });
  };
  const conn = ['connection', 'role'] as const;
  const perKey = (set: (labels: Record<string, string>, v: number) => void, c: ConnectionStats, label: string, record: Readonly<Record<string, number>>): void => {
    for (const key of Object.keys(record)) set({ ...connLabels(c), [label]: key }, record[key] ?? 0);
  };

  counter(METRIC_NAMES.messagesReceived, 'Frames received per connection, across reconnects.', conn, (set, s) => {
    for (const c of s.connections) set(connLabels(c), c.messagesReceived);
  });
  counter(METRIC_NAMES.bytesReceived, 'Bytes of frames received per connection, across reconnects.', conn, (set, s) => {
    for (const c of s.connections) set(connLabels(c), c.bytesReceived);
  });
  counter(METRIC_NAMES.commandsSent, 'Commands sent per connection, by command.', [...conn, 'cmd'], (set, s) => {
    for (const c of s.connections) perKey(set, c, 'cmd', c.commandsSent);
  });
  counter(METRIC_NAMES.errors, 'Client errors per connection, by type.', [...conn, 'type'], (set, s) => {
    for (const c of s.connections) perKey(set, c, 'type', c.errors);
  });
  gauge(METRIC_NAMES.lastPing, 'Unix time (s) of the last server ping per connection.', conn, (set, s) => {
    for (const c of s.connections) if (c.lastPingAt > 0) set(connLabels(c), c.lastPingAt / 1000);
  });
  gauge(METRIC_NAMES.connected, '1 while the connection is open, else 0.', conn, (set, s) => {
    for (const c of s.connections) set(connLabels(c), c.connected ? 1 : 0);
  });
  counter(METRIC_NAMES.reconnects, 'Reconnect attempts of the pool: successful reconnects and failed dials.', ['status'], (set, s) => {
    set({ status: 'success' }, s.stats.reconnects.success);
    set({ status: 'failed' }, s.stats.reconnects.failed);
  });
  counter(METRIC_NAMES.gaps, 'Sequence gaps detected.', [], (set, s) => set({}, s.stats.gaps));
  counter(METRIC_NAMES.gapMessages, 'Messages missing in detected sequence gaps.', [], (set, s) => set({}, s.stats.gapMessages));
  counter(METRIC_NAMES.repairs, 'Gap repairs (get_snapshot) by outcome.', ['outcome'], (set, s) => {
    for (const outcome of ['ok', 'failed', 'skipped'] as const) set({ outcome }, s.stats.repairs[outcome]);
  });
  counter(METRIC_NAMES.resubscribes, 'Subscriptions redone after Kalshi error 10/25 (or a lost sid).', [], (set, s) => set({}, s.stats.resubscribes));
  counter(METRIC_NAMES.silentSubscriptions, 'Orderbook sids found subscribed but silent (no snapshots) and repaired.', [], (set, s) =>
    set({}, s.stats.silentSubscriptions),
  );
  counter(METRIC_NAMES.dropped, 'Messages dropped locally, by reason.', ['reason'], (set, s) => {
    set({ reason: 'queue_overflow' }, s.stats.queueDrops);
    set({ reason: 'duplicate_seq' }, s.stats.duplicateDrops);
    set({ reason: 'redundant_copy' }, s.stats.redundantDrops);
    set({ reason: 'unknown_sid' }, s.stats.unknownSidDrops);
  });
  counter(METRIC_NAMES.delivered, 'Messages handed to the consumer.', [], (set, s) => set({}, s.stats.messagesDelivered));
  gauge(METRIC_NAMES.queueDepth, 'Messages waiting in the output queue.', [], (set, s) => set({}, s.health.queueDepth));
  gauge(METRIC_NAMES.markets, 'Markets placed on a connection, and markets without room.', ['state'], (set, s) => {
    set({ state: 'placed' }, s.health.placed);
    set({ state: 'unplaced' }, s.health.unplaced);
  });
  gauge(METRIC_NAMES.frameAge, 'Seconds since the last inbound frame per connection (absent before the first).', conn, (set, s) => {
    for (const c of s.health.connections) {
      if (c.lastFrameAgeMs !== undefined) set({ connection: String(c.connectionId), role: c.role }, c.lastFrameAgeMs / 1000);
    }
  });
  gauge(METRIC_NAMES.degradedConnections, 'Connections the health loop currently reports degraded.', [], (set, s) => {
    set({}, s.health.connections.filter((c) => c.degraded).length);
  });

  const duration = new Histogram<'cmd'>({
    name: n(METRIC_NAMES.commandDuration),
    help: 'Command round trip (send to reply) in seconds, by command; answered commands only (ok or rejected).',
    labelNames: ['cmd'],
    buckets,
    registers,
  });
  const onCommand = (event: CommandEvent): void => {
    if (event.outcome === 'ok' || event.outcome === 'rejected') duration.observe({ cmd: event.cmd }, event.durationMs / 1000);
  };
  manager.on('command', onCommand);

  let registered = true;
  return {
    unregister() {
      if (!registered) return;
      registered = false;
      manager.off('command', onCommand);
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
