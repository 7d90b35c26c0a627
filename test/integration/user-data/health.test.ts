import type { AccountDegradedEvent } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { startRig } from './user-data-helpers';
import type { UserDataRig } from './user-data-helpers';

let rig: UserDataRig | undefined;
closeAfterEach();

describe('user data: health loop', () => {
  it('reports an account degraded after 3 failed checks and healthy again once it passes', async () => {
    rig = await startRig(['quiet', 'fine'], { healthCheck: { intervalMs: 150, failuresBeforeDegraded: 3 } }, { pingIntervalMs: 25 });
    const { sim, manager } = rig;
    const events: AccountDegradedEvent[] = [];
    manager.on('degraded', (e) => events.push(e));
    await vi.waitFor(() => expect(manager.health().connected).toBe(2), { timeout: 10_000 });
    // Accounts dial in source order, so the first simulator connection is 'quiet'.
    const quiet = Math.min(...sim.connections().filter((c) => c.open).map((c) => c.id));
    sim.faults.silence({ connection: quiet });
    await vi.waitFor(() => expect(events.filter((e) => !e.healthy)).toHaveLength(1), { timeout: 10_000 });
    expect(events[0]).toMatchObject({ accountId: 'quiet', healthy: false, reason: 'silent', consecutiveFailures: 3 });
    expect(manager.health().accounts.find((a) => a.accountId === 'quiet')).toMatchObject({ degraded: true });
    expect(manager.health().accounts.find((a) => a.accountId === 'fine')).toMatchObject({ degraded: false });
    expect(manager.health().healthy).toBe(false);
    sim.faults.unsilence({ connection: quiet });
    await vi.waitFor(() => expect(events.at(-1)).toMatchObject({ accountId: 'quiet', healthy: true }), { timeout: 10_000 });
    expect(rig.logs.some((l) => l.level === 'warn' && l.fields['accountId'] === 'quiet')).toBe(true);
  });
});
