import { ConfigError } from 'kalshi-ws-pool';
import type { CommandEvent } from 'kalshi-ws-pool';
import { METRIC_NAMES, registerPrometheusMetrics } from 'kalshi-ws-pool/prometheus';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, obSid, settled, tickers } from '../manager/manager-helpers';
import type { Harness } from '../manager/manager-helpers';

let current: Harness | undefined;
afterEach(async () => {
  await current?.manager.stop();
  current = undefined;
});

/** `name{labels} value` lines of one metric family. */
function series(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const space = line.lastIndexOf(' ');
    const key = line.slice(0, space);
    if (key === name || key.startsWith(`${name}{`)) out.set(key, Number(line.slice(space + 1)));
  }
  return out;
}

describe('registerPrometheusMetrics', () => {
  it('exposes every metric with bounded labels, read from the manager at scrape time', async () => {
    current = harness(tickers(6));
    const { manager, fakes } = current;
    const registry = new Registry();
    registerPrometheusMetrics(manager, { registry });
    await manager.start();
    await settled(manager);
    const text = await registry.metrics();
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('# TYPE ws_client_messages_received_total counter');
    expect(text).toContain('# TYPE ws_client_command_duration_seconds histogram');
    expect(text).toContain('# TYPE ws_client_connected gauge');
    expect(series(text, 'ws_client_connected').get('ws_client_connected{connection="7",role="orderbook"}')).toBe(1);
    expect(series(text, 'ws_client_commands_sent_total').get('ws_client_commands_sent_total{connection="1",role="ticker",cmd="subscribe"}')).toBe(1);
    expect(series(text, 'kalshi_ws_pool_markets').get('kalshi_ws_pool_markets{state="placed"}')).toBe(6);
    // Subscribes of 9 slots were answered: the histogram counted them from `command` events.
    expect(series(text, 'ws_client_command_duration_seconds_count').get('ws_client_command_duration_seconds_count{cmd="subscribe"}')).toBe(9);
    // No ticker ever becomes a label.
    expect(text).not.toContain('MKT-');

    // Counters move with the manager; a reconnect does not reset them.
    const client = fakes.latest(7)!;
    const sid = obSid(client);
    client.skipSeq(sid, 2);
    client.data(sid, 'orderbook_delta', { market_ticker: 'MKT-00000' });
    for (let i = 0; i < 4; i++) client.inject({ type: 'ok', id: 0 });
    client.drop();
    await vi.waitFor(() => expect(fakes.clientsOf(7)).toHaveLength(2));
    await settled(manager);
    const after = await registry.metrics();
    expect(series(after, 'kalshi_ws_pool_sequence_gaps_total').get('kalshi_ws_pool_sequence_gaps_total')).toBe(1);
    expect(series(after, 'marketdata_reconnects_total').get('marketdata_reconnects_total{status="success"}')).toBe(1);
    expect(series(after, 'ws_client_messages_received_total').get('ws_client_messages_received_total{connection="7",role="orderbook"}')).toBeGreaterThanOrEqual(5);
    expect(series(after, 'ws_client_commands_sent_total').get('ws_client_commands_sent_total{connection="7",role="orderbook",cmd="subscribe"}')).toBe(2);
  });

  it('applies the prefix, refuses a second registration, and unregisters cleanly', async () => {
    current = harness();
    const { manager } = current;
    const registry = new Registry();
    const metrics = registerPrometheusMetrics(manager, { registry, prefix: 'gatherer_' });
    expect(registry.getSingleMetric('gatherer_ws_client_connected')).toBeDefined();
    expect(() => registerPrometheusMetrics(manager, { registry, prefix: 'gatherer_' })).toThrow(ConfigError);
    metrics.unregister();
    metrics.unregister();
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    expect(() => registerPrometheusMetrics(manager, { registry, prefix: 'bad prefix' })).toThrow(/prefix/);
    expect(() => registerPrometheusMetrics(manager, { registry, buckets: [] })).toThrow(/buckets/);
  });

  it('observes command durations from command events (answered ones only)', async () => {
    current = harness();
    const { manager } = current;
    const registry = new Registry();
    const listeners = new Map<string, (event: CommandEvent) => void>();
    const source = {
      stats: () => manager.stats(),
      health: () => manager.health(),
      connectionStats: () => manager.connectionStats(),
      on: (name: string, fn: (event: CommandEvent) => void) => void listeners.set(name, fn),
      off: (name: string) => void listeners.delete(name),
    } as unknown as Parameters<typeof registerPrometheusMetrics>[0];
    const metrics = registerPrometheusMetrics(source, { registry, buckets: [0.1, 1] });
    const emit = listeners.get('command')!;
    const base = { connectionId: 7, role: 'orderbook', action: 'get_snapshot', kalshiCode: undefined } as const;
    emit({ ...base, cmd: 'update_subscription', outcome: 'ok', durationMs: 50 });
    emit({ ...base, cmd: 'update_subscription', outcome: 'rejected', durationMs: 500 });
    emit({ ...base, cmd: 'update_subscription', outcome: 'timeout', durationMs: 5_000 });
    const text = await registry.metrics();
    const h = series(text, 'ws_client_command_duration_seconds_bucket');
    expect(h.get('ws_client_command_duration_seconds_bucket{le="0.1",cmd="update_subscription"}')).toBe(1);
    expect(h.get('ws_client_command_duration_seconds_bucket{le="1",cmd="update_subscription"}')).toBe(2);
    expect(h.get('ws_client_command_duration_seconds_bucket{le="+Inf",cmd="update_subscription"}')).toBe(2);
    metrics.unregister();
    expect(listeners.has('command')).toBe(false);
  });
});
