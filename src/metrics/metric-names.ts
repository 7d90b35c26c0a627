/**
 * The metric names the Prometheus adapter registers (before `prefix`). The `ws_client_*` and
 * `marketdata_*` names come from the original design, and dashboards expect them. See docs/metrics.md.
 * @packageDocumentation
 */

/** Metric names, without the optional prefix. */
export const METRIC_NAMES = Object.freeze({
  /** Counter `{connection, role}`: frames received, across reconnects. */
  messagesReceived: 'ws_client_messages_received_total',
  /** Counter `{connection, role}`: bytes of those frames. */
  bytesReceived: 'ws_client_bytes_received_total',
  /** Counter `{connection, role, cmd}`: commands sent. */
  commandsSent: 'ws_client_commands_sent_total',
  /** Histogram `{cmd}`: round trip of answered commands, seconds. */
  commandDuration: 'ws_client_command_duration_seconds',
  /** Counter `{connection, role, type}`: client errors by type. */
  errors: 'ws_client_errors_total',
  /** Gauge `{connection, role}`: Unix time (s) of the last server ping. */
  lastPing: 'ws_client_last_ping_timestamp',
  /** Gauge `{connection, role}`: 1 while the connection is open. */
  connected: 'ws_client_connected',
  /** Counter `{status}`: successful reconnects and failed dials. */
  reconnects: 'marketdata_reconnects_total',
  /** Counter: sequence gaps detected. */
  gaps: 'kalshi_ws_pool_sequence_gaps_total',
  /** Counter: messages missing in those gaps. */
  gapMessages: 'kalshi_ws_pool_gap_messages_total',
  /** Counter `{outcome}`: gap repairs (`get_snapshot`). */
  repairs: 'kalshi_ws_pool_repairs_total',
  /** Counter: subscriptions redone after error 10/25 (or a lost sid). */
  resubscribes: 'kalshi_ws_pool_resubscribes_total',
  /** Counter: orderbook sids found subscribed but silent, and repaired. */
  silentSubscriptions: 'kalshi_ws_pool_silent_subscriptions_total',
  /** Counter `{reason}`: messages dropped locally. */
  dropped: 'kalshi_ws_pool_dropped_messages_total',
  /** Counter: messages handed to the consumer (or router). */
  delivered: 'kalshi_ws_pool_messages_delivered_total',
  /** Gauge: messages waiting in the output queue. */
  queueDepth: 'kalshi_ws_pool_queue_depth',
  /** Gauge `{state}`: markets placed and unplaced. */
  markets: 'kalshi_ws_pool_markets',
  /** Gauge `{connection, role}`: seconds since the last inbound frame. */
  frameAge: 'kalshi_ws_pool_frame_age_seconds',
  /** Gauge: connections the health loop reports degraded. */
  degradedConnections: 'kalshi_ws_pool_degraded_connections',
} as const);

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];
