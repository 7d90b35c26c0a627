import { registerNatsMetrics } from 'kalshi-ws-pool/prometheus';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

describe('registerNatsMetrics', () => {
  it('exposes router and source counters read at scrape time, and unregisters', async () => {
    const registry = new Registry();
    const stats = { published: 10, acknowledged: 9, duplicates: 3, retries: 2, inFlight: 1, skipped: 0, abandoned: 0 };
    const source = { stats: () => ({ received: 5, delivered: 4, failovers: 2, standbyFrames: 1, duplicates: 1, bufferOverflows: 0, stalledMarkets: 0 }) };
    const metrics = registerNatsMetrics({ routers: [{ gathererId: 'g1', stats: () => stats }], source, registry });
    let text = await registry.metrics();
    expect(text).toContain('kwp_nats_published_total{gatherer="g1"} 10');
    expect(text).toContain('kwp_nats_in_flight{gatherer="g1"} 1');
    expect(text).toContain('kwp_nats_failovers_total 2');
    stats.published = 12;
    text = await registry.metrics();
    expect(text).toContain('kwp_nats_published_total{gatherer="g1"} 12');
    expect(() => registerNatsMetrics({ registry })).toThrow(/already has/);
    metrics.unregister();
    expect(await registry.metrics()).not.toContain('kwp_nats');
  });
});
