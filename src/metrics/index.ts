/**
 * `kalshi-ws-pool/prometheus`: prom-client metrics for a connection manager. prom-client is an optional
 * peer dependency; only this subpath imports it.
 * @packageDocumentation
 * @module kalshi-ws-pool/prometheus
 */
export { prometheusMetricsDefaults, registerPrometheusMetrics } from './prometheus-metrics';
export type { MetricsSource, PrometheusMetrics, PrometheusMetricsOptions } from './prometheus-metrics';
export { METRIC_NAMES } from './metric-names';
export type { MetricName } from './metric-names';
export { USER_DATA_METRIC_NAMES, registerUserDataMetrics, userDataMetricsDefaults } from './user-data-metrics';
export type { UserDataMetrics, UserDataMetricsOptions } from './user-data-metrics';
export { NATS_METRIC_NAMES, registerNatsMetrics } from './nats-metrics';
export type { NatsMetrics, NatsMetricsOptions, NatsRouterLike, NatsSourceLike } from './nats-metrics';
