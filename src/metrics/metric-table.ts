/**
 * The one way the Prometheus adapters register metrics: each adapter lists its counters and gauges as
 * rows (name, help, labels, and how to read the value from a scrape-time snapshot), and
 * {@link registerMetricTable} turns the rows into prom-client metrics that read one snapshot per scrape.
 * Adding a metric is one row; the registration, the name check and `unregister()` are shared.
 * @internal
 */
import { Counter, Gauge, register as globalRegister } from 'prom-client';
import type { OpenMetricsContentType, PrometheusContentType, Registry } from 'prom-client';
import { ConfigError } from '../errors';

/** A prom-client registry of either content type. @internal */
export type AnyRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

/** Reports one labelled value of a metric during a scrape. @internal */
export type SetValue<L extends string> = (labels: Record<L, string>, value: number) => void;

/** One counter or gauge, read from the snapshot `S` at scrape time. @internal */
export interface MetricRow<S> {
  readonly kind: 'counter' | 'gauge';
  /** Name before the prefix. */
  readonly name: string;
  readonly help: string;
  readonly labels: readonly string[];
  /** Reports every labelled value of this metric from one snapshot. */
  readonly fill: (set: SetValue<string>, scrape: S) => void;
}

/**
 * A row for a counter mirroring a monotonic total: each scrape `reset()`s the prom-client Counter and
 * `inc()`s it by the current total, which keeps the `counter` type without any work on the frame path.
 * @internal
 */
export function counterRow<S, L extends string>(name: string, help: string, labels: readonly L[], fill: (set: SetValue<L>, scrape: S) => void): MetricRow<S> {
  return { kind: 'counter', name, help, labels, fill: fill as MetricRow<S>['fill'] };
}

/** A row for a gauge set from the snapshot at each scrape. @internal */
export function gaugeRow<S, L extends string>(name: string, help: string, labels: readonly L[], fill: (set: SetValue<L>, scrape: S) => void): MetricRow<S> {
  return { kind: 'gauge', name, help, labels, fill: fill as MetricRow<S>['fill'] };
}

/**
 * Throws unless `prefix` is empty or a valid start of a Prometheus metric name.
 * @throws {ConfigError} naming `prefix`.
 * @internal
 */
export function checkMetricPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || (prefix !== '' && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix))) {
    throw new ConfigError('prefix', `must be empty or a valid metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${String(prefix)}`);
  }
  return prefix;
}

/** What {@link registerMetricTable} needs besides the rows. @internal */
export interface MetricTableOptions<S> {
  /** Where to register; the prom-client global `register` when undefined. */
  readonly registry: AnyRegistry | undefined;
  /** Already checked with {@link checkMetricPrefix}. */
  readonly prefix: string;
  /** Takes the snapshot; called at most once per scrape. */
  readonly snapshot: () => S;
  /** Names of metrics registered outside the table (e.g. a histogram), before the prefix, checked and removed with it. */
  readonly extraNames?: readonly string[];
}

/** The registered table. @internal */
export interface RegisteredMetricTable {
  /** The registry the rows went to. */
  readonly registry: AnyRegistry;
  /** Remove every metric of the table (and `extraNames`) from the registry. Idempotent. */
  unregister(): void;
}

/**
 * Registers every row on the registry. One snapshot per scrape: prom-client calls every `collect()`
 * synchronously within one `metrics()`, so the snapshot is cached until the next microtask.
 * @throws {ConfigError} naming `registry` when a metric of the same name is already registered.
 * @internal
 */
export function registerMetricTable<S>(rows: readonly MetricRow<S>[], options: MetricTableOptions<S>): RegisteredMetricTable {
  const registry = options.registry ?? globalRegister;
  const names = [...rows.map((row) => row.name), ...(options.extraNames ?? [])].map((name) => options.prefix + name);
  for (const name of names) {
    if (registry.getSingleMetric(name) !== undefined) throw new ConfigError('registry', `already has a metric named ${name}`);
  }
  let cached: S | undefined;
  let fresh = false;
  const read = (): S => {
    if (!fresh) {
      cached = options.snapshot();
      fresh = true;
      queueMicrotask(() => {
        fresh = false;
        cached = undefined;
      });
    }
    return cached as S;
  };
  const registers = [registry];
  for (const row of rows) {
    const config = { name: options.prefix + row.name, help: row.help, labelNames: row.labels, registers };
    if (row.kind === 'counter') {
      new Counter({
        ...config,
        collect() {
          this.reset();
          row.fill((labels, total) => this.inc(labels, total), read());
        },
      });
    } else {
      new Gauge({
        ...config,
        collect() {
          this.reset();
          row.fill((labels, value) => this.set(labels, value), read());
        },
      });
    }
  }
  let registered = true;
  return {
    registry,
    unregister() {
      if (!registered) return;
      registered = false;
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
