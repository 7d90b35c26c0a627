/**
 * `registerUserDataMetrics`: the user-data manager's counters as prom-client metrics, read at scrape
 * time from `stats()` and `health()` (nothing on the frame path). Names keep the original design's
 * meaning (connections per state, reconnects by reason, hot-reload operations, reconciliations) under a
 * `userdata_` namespace. Account ids appear only as the opaque `account` label; key material never.
 * @packageDocumentation
 */
import type { OpenMetricsContentType, PrometheusContentType, Registry } from 'prom-client';
import { ConfigError } from '../errors';
import type { UserDataManager } from '../user-data/user-data-manager';
import type { UserDataHealth, UserDataStats } from '../user-data/user-data-stats';
import { checkMetricPrefix, counterRow, gaugeRow, registerMetricTable } from './metric-table';
import type { MetricRow } from './metric-table';

/** Metric names of the user-data adapter, before `prefix`. See docs/metrics.md. */
export const USER_DATA_METRIC_NAMES = Object.freeze({
  /** Gauge `{state}`: accounts per connection state (`connecting`, `open`, `reconnecting`, `deactivated`). */
  connections: 'userdata_connections',
  /** Counter `{reason}`: redials by reason (`clean`, `error`, `stale`, `terminated`, `dial-failed`). */
  reconnects: 'userdata_reconnects_total',
  /** Counter `{operation}`: hot-reload operations (`add`, `remove`, `rekey`). */
  hotReload: 'userdata_hot_reload_operations_total',
  /** Counter `{status}`: reconciliations against the account source (`ok`, `failed`). */
  reconciliations: 'userdata_reconciliations_total',
  /** Counter: fills delivered from the REST backfill. */
  fillsBackfilled: 'userdata_fills_backfilled_total',
  /** Counter: deactivations (credentials refused or circuit breaker). */
  deactivations: 'userdata_deactivations_total',
  /** Gauge: messages waiting in the output queue. */
  queueDepth: 'userdata_queue_depth',
  /** Gauge `{account}`: 1 while the account's connection is open (only with `accountLabels`). */
  accountConnected: 'userdata_account_connected',
} as const);

/** Options of {@link registerUserDataMetrics}. */
export interface UserDataMetricsOptions {
  /** Where to register. @default the prom-client global `register` */
  readonly registry?: Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;
  /** Prepended to every metric name. @default '' */
  readonly prefix?: string;
  /** Export the per-account `userdata_account_connected{account}` gauge (one series per account). @default true */
  readonly accountLabels?: boolean;
}

/** Defaults of {@link UserDataMetricsOptions}. */
export const userDataMetricsDefaults = Object.freeze({
  /** No prefix. */
  prefix: '',
  /** Per-account gauge on. */
  accountLabels: true,
});

/** Handle returned by {@link registerUserDataMetrics}. */
export interface UserDataMetrics {
  /** Remove every metric from the registry. Idempotent. */
  unregister(): void;
}

interface Scrape {
  readonly stats: UserDataStats;
  readonly health: UserDataHealth;
}

/** Every counter and gauge of the user-data adapter but the per-account gauge. */
const USER_DATA_METRIC_ROWS: readonly MetricRow<Scrape>[] = [
  gaugeRow(USER_DATA_METRIC_NAMES.connections, 'Accounts per connection state.', ['state'], (set, s) => {
    for (const [state, n] of Object.entries(s.stats.connections)) if (state !== 'stopped') set({ state }, n);
  }),
  counterRow(USER_DATA_METRIC_NAMES.reconnects, 'Account redials by reason.', ['reason'], (set, s) => {
    for (const [reason, n] of Object.entries(s.stats.reconnects)) set({ reason }, n);
  }),
  counterRow(USER_DATA_METRIC_NAMES.hotReload, 'Hot-reload operations applied from the account source.', ['operation'], (set, s) => {
    set({ operation: 'add' }, s.stats.hotReload.added);
    set({ operation: 'remove' }, s.stats.hotReload.removed);
    set({ operation: 'rekey' }, s.stats.hotReload.rekeyed);
  }),
  counterRow(USER_DATA_METRIC_NAMES.reconciliations, 'Reconciliations against the account source, by status.', ['status'], (set, s) => {
    set({ status: 'ok' }, s.stats.reconciliations.ok);
    set({ status: 'failed' }, s.stats.reconciliations.failed);
  }),
  counterRow(USER_DATA_METRIC_NAMES.fillsBackfilled, 'Fills delivered from the REST backfill after reconnects.', [], (set, s) => set({}, s.stats.fillsBackfilled)),
  counterRow(USER_DATA_METRIC_NAMES.deactivations, 'Accounts deactivated (credentials refused or circuit breaker).', [], (set, s) => set({}, s.stats.deactivations)),
  gaugeRow(USER_DATA_METRIC_NAMES.queueDepth, 'Messages waiting in the user-data output queue.', [], (set, s) => set({}, s.health.queueDepth)),
];

/** The per-account gauge, registered only with `accountLabels`. */
const ACCOUNT_CONNECTED_ROW = gaugeRow<Scrape, 'account'>(USER_DATA_METRIC_NAMES.accountConnected, '1 while the account connection is open, else 0.', ['account'], (set, s) => {
  for (const a of s.health.accounts) set({ account: a.accountId }, a.state === 'open' ? 1 : 0);
});

/**
 * Registers the user-data manager's metrics on a prom-client registry.
 * @throws {ConfigError} for a bad `prefix`, or when a metric of the same name is already registered.
 * @example
 * import { registerUserDataMetrics } from 'kalshi-ws-pool/prometheus';
 * const metrics = registerUserDataMetrics(users, { registry });
 */
export function registerUserDataMetrics(manager: Pick<UserDataManager, 'stats' | 'health'>, options: UserDataMetricsOptions = {}): UserDataMetrics {
  const prefix = checkMetricPrefix(options.prefix ?? userDataMetricsDefaults.prefix);
  const accountLabels = options.accountLabels ?? userDataMetricsDefaults.accountLabels;
  if (typeof accountLabels !== 'boolean') throw new ConfigError('accountLabels', `must be a boolean, got ${String(accountLabels)}`);
  const rows = accountLabels ? [...USER_DATA_METRIC_ROWS, ACCOUNT_CONNECTED_ROW] : USER_DATA_METRIC_ROWS;
  const table = registerMetricTable(rows, { registry: options.registry, prefix, snapshot: () => ({ stats: manager.stats(), health: manager.health() }) });
  return { unregister: () => table.unregister() };
}
