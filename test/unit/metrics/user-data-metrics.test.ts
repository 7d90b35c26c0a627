import { ConfigError } from 'kalshi-ws-pool';
import type { UserDataHealth, UserDataStats } from 'kalshi-ws-pool';
import { USER_DATA_METRIC_NAMES, registerUserDataMetrics } from 'kalshi-ws-pool/prometheus';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

function fakeUsers(): { stats: () => UserDataStats; health: () => UserDataHealth; calls: { stats: number; health: number }; deactivations: number } {
  const fake = {
    calls: { stats: 0, health: 0 },
    deactivations: 2,
    stats: (): UserDataStats => {
      fake.calls.stats++;
      return {
        messagesQueued: 10,
        queueDepth: 1,
        messagesDropped: 0,
        connections: { connecting: 0, open: 2, reconnecting: 1, deactivated: 1, stopped: 0 },
        reconnects: { clean: 1, error: 0, stale: 2, terminated: 0, 'dial-failed': 3 },
        hotReload: { added: 4, removed: 1, rekeyed: 0 },
        reconciliations: { ok: 5, failed: 1 },
        fillsBackfilled: 7,
        fillsDeduplicated: 0,
        backfills: { ok: 1, failed: 0 },
        positionsSnapshots: 0,
        deactivations: fake.deactivations,
      };
    },
    health: (): UserDataHealth => {
      fake.calls.health++;
      const account = { generation: 1, deactivatedReason: undefined, lastFrameAgeMs: 5, reconnects: 0, failedDials: 0, failedChecks: 0, degraded: false, fillsRemembered: 0 };
      return {
        state: 'running',
        healthy: false,
        total: 2,
        connected: 1,
        deactivated: 0,
        accounts: [
          { ...account, accountId: 'a1', state: 'open' },
          { ...account, accountId: 'a2', state: 'reconnecting' },
        ],
        queueDepth: 3,
        paused: false,
      };
    },
  };
  return fake;
}

describe('registerUserDataMetrics (table-driven registration)', () => {
  it('exposes every row from one snapshot per scrape, labelled as documented', async () => {
    const registry = new Registry();
    const users = fakeUsers();
    const metrics = registerUserDataMetrics(users, { registry, prefix: 'app_' });
    const text = await registry.metrics();
    expect(users.calls).toEqual({ stats: 1, health: 1 });
    expect(text).toContain('app_userdata_connections{state="open"} 2');
    expect(text).not.toContain('state="stopped"');
    expect(text).toContain('app_userdata_reconnects_total{reason="dial-failed"} 3');
    expect(text).toContain('app_userdata_hot_reload_operations_total{operation="add"} 4');
    expect(text).toContain('app_userdata_reconciliations_total{status="failed"} 1');
    expect(text).toContain('app_userdata_fills_backfilled_total 7');
    expect(text).toContain('app_userdata_deactivations_total 2');
    expect(text).toContain('app_userdata_queue_depth 3');
    expect(text).toContain('app_userdata_account_connected{account="a1"} 1');
    expect(text).toContain('app_userdata_account_connected{account="a2"} 0');
    expect(text).toContain('# TYPE app_userdata_deactivations_total counter');
    expect(text).toContain('# TYPE app_userdata_queue_depth gauge');
    // Totals are re-read at the next scrape, not accumulated.
    users.deactivations = 5;
    expect(await registry.metrics()).toContain('app_userdata_deactivations_total 5');
    expect(users.calls).toEqual({ stats: 2, health: 2 });
    metrics.unregister();
    metrics.unregister();
    expect((await registry.metrics()).trim()).toBe('');
  });

  it('leaves out the per-account gauge with accountLabels: false, and refuses a name already registered', async () => {
    const registry = new Registry();
    const metrics = registerUserDataMetrics(fakeUsers(), { registry, accountLabels: false });
    expect(await registry.metrics()).not.toContain(USER_DATA_METRIC_NAMES.accountConnected);
    expect(registry.getSingleMetric(USER_DATA_METRIC_NAMES.accountConnected)).toBeUndefined();
    expect(() => registerUserDataMetrics(fakeUsers(), { registry, accountLabels: false })).toThrow(ConfigError);
    expect(() => registerUserDataMetrics(fakeUsers(), { registry: new Registry(), prefix: '9bad' })).toThrow(/prefix/);
    metrics.unregister();
    // Everything was removed: registering again works.
    registerUserDataMetrics(fakeUsers(), { registry, accountLabels: false }).unregister();
  });
});
