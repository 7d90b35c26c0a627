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
import { Histogram } from 'prom-client';
import type { Registry, OpenMetricsContentType, PrometheusContentType } from 'prom-client';
import { ConfigError } from '../errors';
import { readOptions, requireMethods } from '../internal/validate';
import type { ConnectionManager } from '../manager/manager-api';
import type { CommandEvent } from '../manager/manager-events';
import { MANAGER_METRIC_ROWS, METRIC_NAMES } from './metric-names';
import { checkMetricPrefix, registerMetricTable } from './metric-table';

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

function validate(options: PrometheusMetricsOptions): { prefix: string; buckets: number[] } {
  readOptions(options, '', ['registry', ...Object.keys(prometheusMetricsDefaults)]);
  if (options.registry !== undefined) requireMethods(options.registry, 'registry', ['getSingleMetric', 'registerMetric']);
  const prefix = checkMetricPrefix(options.prefix ?? prometheusMetricsDefaults.prefix);
  const buckets = options.buckets ?? prometheusMetricsDefaults.buckets;
  if (!Array.isArray(buckets) || buckets.length === 0 || !buckets.every((b) => typeof b === 'number' && Number.isFinite(b) && b > 0)) {
    throw new ConfigError('buckets', 'must be a non-empty array of positive finite numbers (seconds)');
  }
  return { prefix, buckets: [...(buckets as number[])].sort((a, b) => a - b) };
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
  const table = registerMetricTable(MANAGER_METRIC_ROWS, {
    registry: options.registry,
    prefix,
    snapshot: () => ({ stats: manager.stats(), health: manager.health(), connections: manager.connectionStats() }),
    extraNames: [METRIC_NAMES.commandDuration],
  });
  const duration = new Histogram<'cmd'>({
    name: prefix + METRIC_NAMES.commandDuration,
    help: 'Command round trip (send to reply) in seconds, by command; answered commands only (ok or rejected).',
    labelNames: ['cmd'],
    buckets,
    registers: [table.registry],
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
      table.unregister();
    },
  };
}
