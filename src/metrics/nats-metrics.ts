/**
 * `registerNatsMetrics`: prom-client metrics for `kalshi-ws-pool/nats` routers and sources, read from their
 * `stats()` snapshots at scrape time (nothing on the publish path). Label `gatherer` is the router's id.
 * @packageDocumentation
 */
import { Counter, Gauge, register as globalRegister } from 'prom-client';
import type { OpenMetricsContentType, PrometheusContentType, Registry } from 'prom-client';
import { ConfigError } from '../errors';
import type { JetStreamRouterStats } from '../nats/router';
import type { JetStreamSourceStats } from '../nats/source';

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

/**
 * Register the NATS metrics (see docs/metrics.md).
 * @throws {ConfigError} for a bad prefix or a name already registered.
 * @example
 * const metrics = registerNatsMetrics({ routers: [router] });
 * // later: metrics.unregister();
 */
export function registerNatsMetrics(options: NatsMetricsOptions): NatsMetrics {
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string' || (prefix !== '' && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix))) throw new ConfigError('prefix', `invalid metric name prefix ${String(prefix)}`);
  const registry = options.registry ?? globalRegister;
  const names = Object.values(NATS_METRIC_NAMES).map((name) => prefix + name);
  for (const name of names) if (registry.getSingleMetric(name) !== undefined) throw new ConfigError('registry', `already has a metric named ${name}`);
  const routers = options.routers ?? [];
  const registers = [registry];
  const perRouter = (name: string, help: string, read: (s: JetStreamRouterStats) => number, kind: 'counter' | 'gauge'): void => {
    const config = {
      name: prefix + name,
      help,
      labelNames: ['gatherer'] as const,
      registers,
      collect(this: Counter<'gatherer'> | Gauge<'gatherer'>) {
        this.reset();
        for (const r of routers) {
          if (this instanceof Counter) this.inc({ gatherer: r.gathererId }, read(r.stats()));
          else this.set({ gatherer: r.gathererId }, read(r.stats()));
        }
      },
    };
    if (kind === 'counter') new Counter(config);
    else new Gauge(config);
  };
  perRouter(NATS_METRIC_NAMES.published, 'Frames published to JetStream (first attempts).', (s) => s.published, 'counter');
  perRouter(NATS_METRIC_NAMES.acknowledged, 'Publishes acknowledged by JetStream.', (s) => s.acknowledged, 'counter');
  perRouter(NATS_METRIC_NAMES.duplicates, 'Publish acks marked duplicate.', (s) => s.duplicates, 'counter');
  perRouter(NATS_METRIC_NAMES.retries, 'Publishes retried with the same message id.', (s) => s.retries, 'counter');
  perRouter(NATS_METRIC_NAMES.inFlight, 'Publishes awaiting an ack.', (s) => s.inFlight, 'gauge');
  const source = options.source;
  const plain = (name: string, help: string, read: (s: JetStreamSourceStats) => number, kind: 'counter' | 'gauge'): void => {
    const config = {
      name: prefix + name,
      help,
      registers,
      collect(this: Counter | Gauge) {
        this.reset();
        if (source === undefined) return;
        if (this instanceof Counter) this.inc(read(source.stats()));
        else this.set(read(source.stats()));
      },
    };
    if (kind === 'counter') new Counter(config);
    else new Gauge(config);
  };
  plain(NATS_METRIC_NAMES.failovers, 'Consumer failovers of a market to another gatherer.', (s) => s.failovers, 'counter');
  plain(NATS_METRIC_NAMES.consumerDuplicates, 'Duplicates dropped at the consumer.', (s) => s.duplicates, 'counter');
  plain(NATS_METRIC_NAMES.stalledMarkets, 'Markets at the consumer waiting for a snapshot.', (s) => s.stalledMarkets, 'gauge');
  return {
    unregister() {
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
