/**
 * The metric names the Prometheus adapter registers (before `prefix`), and the table that says how each
 * counter and gauge is read from the manager at scrape time. The `ws_client_*` and `marketdata_*` names
 * come from the original design, and dashboards expect them. See docs/metrics.md.
 *
 * Adding a manager metric: the counter in `manager/manager-stats.ts` (and where it is counted), a name
 * and a row here, a line in docs/metrics.md.
 * @packageDocumentation
 */
import type { ConnectionStats } from '../manager/connection-stats';
import type { ManagerHealth, ManagerStats } from '../manager/manager-stats';
import { counterRow, gaugeRow } from './metric-table';
import type { MetricRow, SetValue } from './metric-table';

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

/** What one scrape reads from the manager. @internal */
export interface ManagerScrape {
  readonly stats: ManagerStats;
  readonly health: ManagerHealth;
  readonly connections: readonly ConnectionStats[];
}

const CONN = ['connection', 'role'] as const;
type ConnLabel = (typeof CONN)[number];

function connLabels(c: Pick<ConnectionStats, 'connectionId' | 'role'>): Record<ConnLabel, string> {
  return { connection: String(c.connectionId), role: c.role };
}

/** One series per connection, read with `value` (skipped when it returns undefined). */
function perConnection(value: (c: ConnectionStats) => number | undefined): (set: SetValue<ConnLabel>, s: ManagerScrape) => void {
  return (set, s) => {
    for (const c of s.connections) {
      const v = value(c);
      if (v !== undefined) set(connLabels(c), v);
    }
  };
}

/** One series per connection and key of a per-connection record (`cmd`, `type`). */
function perConnectionKey<K extends string>(label: K, record: (c: ConnectionStats) => Readonly<Record<string, number>>): (set: SetValue<ConnLabel | K>, s: ManagerScrape) => void {
  return (set, s) => {
    for (const c of s.connections) {
      const values = record(c);
      for (const key of Object.keys(values)) set({ ...connLabels(c), [label]: key } as Record<ConnLabel | K, string>, values[key] ?? 0);
    }
  };
}

/**
 * Every counter and gauge of the manager adapter (the command-duration histogram is observed from the
 * `command` event instead). @internal
 */
export const MANAGER_METRIC_ROWS: readonly MetricRow<ManagerScrape>[] = [
  counterRow(METRIC_NAMES.messagesReceived, 'Frames received per connection, across reconnects.', CONN, perConnection((c) => c.messagesReceived)),
  counterRow(METRIC_NAMES.bytesReceived, 'Bytes of frames received per connection, across reconnects.', CONN, perConnection((c) => c.bytesReceived)),
  counterRow(METRIC_NAMES.commandsSent, 'Commands sent per connection, by command.', [...CONN, 'cmd'], perConnectionKey('cmd', (c) => c.commandsSent)),
  counterRow(METRIC_NAMES.errors, 'Client errors per connection, by type.', [...CONN, 'type'], perConnectionKey('type', (c) => c.errors)),
  gaugeRow(METRIC_NAMES.lastPing, 'Unix time (s) of the last server ping per connection.', CONN, perConnection((c) => (c.lastPingAt > 0 ? c.lastPingAt / 1000 : undefined))),
  gaugeRow(METRIC_NAMES.connected, '1 while the connection is open, else 0.', CONN, perConnection((c) => (c.connected ? 1 : 0))),
  counterRow(METRIC_NAMES.reconnects, 'Reconnect attempts of the pool: successful reconnects and failed dials.', ['status'], (set, s) => {
    set({ status: 'success' }, s.stats.reconnects.success);
    set({ status: 'failed' }, s.stats.reconnects.failed);
  }),
  counterRow(METRIC_NAMES.gaps, 'Sequence gaps detected.', [], (set, s) => set({}, s.stats.gaps)),
  counterRow(METRIC_NAMES.gapMessages, 'Messages missing in detected sequence gaps.', [], (set, s) => set({}, s.stats.gapMessages)),
  counterRow(METRIC_NAMES.repairs, 'Gap repairs (get_snapshot) by outcome.', ['outcome'], (set, s) => {
    for (const outcome of ['ok', 'failed', 'skipped'] as const) set({ outcome }, s.stats.repairs[outcome]);
  }),
  counterRow(METRIC_NAMES.resubscribes, 'Subscriptions redone after Kalshi error 10/25 (or a lost sid).', [], (set, s) => set({}, s.stats.resubscribes)),
  counterRow(METRIC_NAMES.silentSubscriptions, 'Orderbook sids found subscribed but silent (no snapshots) and repaired.', [], (set, s) =>
    set({}, s.stats.silentSubscriptions),
  ),
  counterRow(METRIC_NAMES.dropped, 'Messages dropped locally, by reason.', ['reason'], (set, s) => {
    set({ reason: 'queue_overflow' }, s.stats.queueDrops);
    set({ reason: 'duplicate_seq' }, s.stats.duplicateDrops);
    set({ reason: 'redundant_copy' }, s.stats.redundantDrops);
    set({ reason: 'unknown_sid' }, s.stats.unknownSidDrops);
  }),
  counterRow(METRIC_NAMES.delivered, 'Messages handed to the consumer.', [], (set, s) => set({}, s.stats.messagesDelivered)),
  gaugeRow(METRIC_NAMES.queueDepth, 'Messages waiting in the output queue.', [], (set, s) => set({}, s.health.queueDepth)),
  gaugeRow(METRIC_NAMES.markets, 'Markets placed on a connection, and markets without room.', ['state'], (set, s) => {
    set({ state: 'placed' }, s.health.placed);
    set({ state: 'unplaced' }, s.health.unplaced);
  }),
  gaugeRow(METRIC_NAMES.frameAge, 'Seconds since the last inbound frame per connection (absent before the first).', CONN, (set, s) => {
    for (const c of s.health.connections) if (c.lastFrameAgeMs !== undefined) set(connLabels(c), c.lastFrameAgeMs / 1000);
  }),
  gaugeRow(METRIC_NAMES.degradedConnections, 'Connections the health loop currently reports degraded.', [], (set, s) => {
    set({}, s.health.connections.filter((c) => c.degraded).length);
  }),
];
