import { AuthError } from 'kalshi-ws-pool';
import type { DegradedEvent } from 'kalshi-ws-pool';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '../../helpers/logger';
import { harness, tickers } from './manager-helpers';
import type { Harness } from './manager-helpers';

const INTERVAL = 1_000;
let current: Harness | undefined;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(async () => {
  await current?.manager.stop();
  current = undefined;
  vi.useRealTimers();
});

function setup(markets: string[], healthCheck: Record<string, number>, snapshots = true) {
  const logger = recordingLogger();
  current = harness(markets, { healthCheck, logger }, { client: { snapshots } });
  const degraded: DegradedEvent[] = [];
  current.manager.on('degraded', (e) => degraded.push(e));
  return { ...current, logger, degraded };
}

/** Every open slot except `silent` hears a frame (a control frame: counted, not delivered). */
function heartbeat(h: Harness, silent: number[] = []): void {
  for (let id = 1; id <= 9; id++) {
    const client = h.fakes.latest(id);
    if (!silent.includes(id) && client?.state === 'open') client.inject({ type: 'ok', id: 0 });
  }
}

async function tick(h: Harness, silent: number[] = []): Promise<void> {
  heartbeat(h, silent);
  await vi.advanceTimersByTimeAsync(INTERVAL);
}

describe('health loop', () => {
  it('warns and emits degraded after 3 failed checks of a silent connection, then an all-clear', async () => {
    const h = setup(tickers(3), { intervalMs: INTERVAL });
    await h.manager.start();
    for (let i = 0; i < 3; i++) await tick(h, [7]);
    expect(h.degraded).toEqual([]); // t=1s passes (within the interval), t=2s and 3s fail: 2 failures
    await tick(h, [7]);
    expect(h.degraded).toEqual([
      expect.objectContaining({ scope: 'connection', healthy: false, connectionId: 7, role: 'orderbook', reason: 'silent', consecutiveFailures: 3 }),
    ]);
    expect(h.manager.health().connections[6]).toMatchObject({ degraded: true, failedChecks: 3 });
    expect(h.logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'connection degraded', fields: expect.objectContaining({ connectionId: 7, reason: 'silent', consecutiveFailures: 3 }) }));
    await tick(h, [7]);
    expect(h.degraded).toHaveLength(1); // once per episode, not per tick
    await tick(h);
    expect(h.degraded[1]).toMatchObject({ scope: 'connection', healthy: true, connectionId: 7, reason: 'silent', consecutiveFailures: 0 });
    expect(h.manager.health().connections[6]).toMatchObject({ degraded: false, failedChecks: 0 });
  });

  it('reports a connection that gave up (credentials refused) as disconnected', async () => {
    const h = setup([], { intervalMs: INTERVAL, failuresBeforeDegraded: 2 });
    await h.manager.start();
    h.fakes.failConnect(4, new AuthError('HTTP 401', { status: 401 }), 5);
    h.fakes.latest(4)!.drop();
    await vi.advanceTimersByTimeAsync(50);
    expect(h.manager.health().connections[3]!.state).toBe('failed');
    await tick(h);
    await tick(h);
    expect(h.degraded.filter((e) => e.scope === 'connection')).toEqual([expect.objectContaining({ connectionId: 4, role: 'trade', reason: 'disconnected', consecutiveFailures: 2 })]);
    expect(h.logger.lines.some((l) => l.level === 'error' && l.fields['connectionId'] === 4)).toBe(true);
  });

  it('repairs a subscribed-but-silent orderbook sid with get_snapshot', async () => {
    const h = setup(tickers(6), { intervalMs: INTERVAL, silentSubscriptionMs: 1_500 }, false);
    await h.manager.start();
    await vi.advanceTimersByTimeAsync(10);
    const client = h.fakes.latest(7)!;
    const snapshotsAsked = () => client.commands.filter((c) => c.action === 'get_snapshot');
    await tick(h);
    expect(snapshotsAsked()).toEqual([]); // 1 s < 1.5 s
    await tick(h);
    expect(snapshotsAsked()).toEqual([expect.objectContaining({ tickers: expect.arrayContaining(client.subscriptions()[0]!.markets) })]);
    expect(h.manager.stats().silentSubscriptions).toBe(3); // slots 7, 8, 9
    expect(h.logger.lines.some((l) => l.message.startsWith('subscribed but silent') && l.fields['connectionId'] === 7)).toBe(true);
  });

  it('leaves sids alone whose snapshots arrived', async () => {
    const h = setup(tickers(6), { intervalMs: INTERVAL, silentSubscriptionMs: 500 }, true);
    await h.manager.start();
    for (let i = 0; i < 4; i++) await tick(h);
    expect(h.fakes.clients.flatMap((c) => c.commands).filter((c) => c.action === 'get_snapshot')).toEqual([]);
    expect(h.manager.stats().silentSubscriptions).toBe(0);
    expect(h.degraded).toEqual([]);
  });

  it('uses one timer, cleared on stop; intervalMs 0 disables the loop', async () => {
    const h = setup([], { intervalMs: INTERVAL });
    await h.manager.start();
    expect(vi.getTimerCount()).toBe(1);
    await h.manager.stop();
    expect(vi.getTimerCount()).toBe(0);
    const off = setup([], { intervalMs: 0 });
    await off.manager.start();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(off.degraded).toEqual([]);
  });
});
