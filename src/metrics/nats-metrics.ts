/**
 * `registerNatsMetrics`: prom-client metrics for `kalshi-ws-pool/nats` routers and sources, read from their
 * `stats()` snapshots at scrape time (nothing on the publish path). Label `gatherer` is the router's id.
 * @packageDocumentation
 */
import type { OpenMetricsContentType, PrometheusContentType, Registry } from 'prom-client';
import type { JetStreamRouterStats } from '../nats/router';
import type { JetStreamSourceStats } from '../nats/source';
import { checkMetricPrefix, counterRow, gaugeRow, registerMetricTable } from './metric-table';
import type { MetricRow, SetValue } from './metric-table';

/** Metric names of {@link registerNatsMetrics}, without the optional prefix. */
export const NATS_METRIC_NAMES = Object.freeze({
  /** Counter `{gatherer}`: frames published (first attempts). */
  published: 'kwp_nats_published_total',
  /** Counter `{gatherer}`: publishes acknowledged by JetStream. */
  acknowledged: 'kwp_nats_acknowledged_total',
  /** Counter `{gatherer}`: acks marked duplicate (a replica or earlier attempt stored the id). */
  duplicates: 'kwp_nats_duplicates_total',
  /** Counter `{gatherer}`: publishes retried with the same id. */
  retries: 'kwp_nats_retries_total',
  /** Gauge `{gatherer}`: publishes awaiting an ack. */
  inFlight: 'kwp_nats_in_flight',
  /** Counter: consumer failovers of a market to another gatherer. */
  failovers: 'kwp_nats_failovers_total',
  /** Counter: consumer-side duplicates dropped (trades, ticker, lifecycle). */
  consumerDuplicates: 'kwp_nats_consumer_duplicates_total',
  /** Gauge: markets at the consumer waiting for a usable snapshot. */
  stalledMarkets: 'kwp_nats_stalled_markets',
});

/** What the adapter reads from a router. */
export interface NatsRouterLike {
  /** Used as the `gatherer` label. */
  readonly gathererId: string;
  /** Counter snapshot, read at scrape time. */
  stats(): JetStreamRouterStats;
}

/** What the adapter reads from a source. */
export interface NatsSourceLike {
  /** Counter snapshot, read at scrape time. */
  stats(): JetStreamSourceStats;
}

/** Handle returned by {@link registerNatsMetrics}. */
export interface NatsMetrics {
  /** Remove every NATS metric from the registry. Idempotent. */
  unregister(): void;
}

/** Options of {@link registerNatsMetrics}. */
export interface NatsMetricsOptions {
  /** Routers of this process. @default [] */
  readonly routers?: readonly NatsRouterLike[];
  /** The merging source of this process, if any. */
  readonly source?: NatsSourceLike;
  /** Where to register. @default the prom-client global `register` */
  readonly registry?: Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;
  /** Prepended to every name. @default '' */
  readonly prefix?: string;
}

interface Scrape {
  readonly routers: readonly { readonly gatherer: string; readonly stats: JetStreamRouterStats }[];
  readonly source: JetStreamSourceStats | undefined;
}

/** One series per router, labelled with its gatherer id. */
function perRouter(read: (s: JetStreamRouterStats) => number): (set: SetValue<'gatherer'>, scrape: Scrape) => void {
  return (set, scrape) => {
    for (const r of scrape.routers) set({ gatherer: r.gatherer }, read(r.stats));
  };
}

/** One unlabelled value from the source (none without a source). */
function fromSource(read: (s: JetStreamSourceStats) => number): (set: SetValue<never>, scrape: Scrape) => void {
  return (set, scrape) => {
    if (scrape.source !== undefined) set({}, read(scrape.source));
  };
}

const GATHERER = ['gatherer'] as const;

const NATS_METRIC_ROWS: readonly MetricRow<Scrape>[] = [
  counterRow(NATS_METRIC_NAMES.published, 'Frames published to JetStream (first attempts).', GATHERER, perRouter((s) => s.published)),
  counterRow(NATS_METRIC_NAMES.acknowledged, 'Publishes acknowledged by JetStream.', GATHERER, perRouter((s) => s.acknowledged)),
  counterRow(NATS_METRIC_NAMES.duplicates, 'Publish acks marked duplicate.', GATHERER, perRouter((s) => s.duplicates)),
  counterRow(NATS_METRIC_NAMES.retries, 'Publishes retried with the same message id.', GATHERER, perRouter((s) => s.retries)),
  gaugeRow(NATS_METRIC_NAMES.inFlight, 'Publishes awaiting an ack.', GATHERER, perRouter((s) => s.inFlight)),
  counterRow(NATS_METRIC_NAMES.failovers, 'Consumer failovers of a market to another gatherer.', [], fromSource((s) => s.failovers)),
  counterRow(NATS_METRIC_NAMES.consumerDuplicates, 'Duplicates dropped at the consumer.', [], fromSource((s) => s.duplicates)),
  gaugeRow(NATS_METRIC_NAMES.stalledMarkets, 'Markets at the consumer waiting for a snapshot.', [], fromSource((s) => s.stalledMarkets)),
];

/**
 * Register the NATS metrics (see docs/metrics.md).
 * @throws {ConfigError} for a bad prefix or a name already registered.
 * @example
 * const metrics = registerNatsMetrics({ routers: [router] });
 * // later: metrics.unregister();
 */
export function registerNatsMetrics(options: NatsMetricsOptions): NatsMetrics {
  const prefix = checkMetricPrefix(options.prefix ?? '');
  const routers = options.routers ?? [];
  const source = options.source;
  const table = registerMetricTable(NATS_METRIC_ROWS, {
    registry: options.registry,
    prefix,
    snapshot: () => ({ routers: routers.map((r) => ({ gatherer: r.gathererId, stats: r.stats() })), source: source?.stats() }),
  });
  return { unregister: () => table.unregister() };
}
