import type { AccountDeactivatedEvent } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { deliveredFillIds, startRig } from './user-data-helpers';
import type { UserDataRig } from './user-data-helpers';

let rig: UserDataRig | undefined;
closeAfterEach();

describe('user data: credential errors', () => {
  it('deactivates an account whose key is revoked mid-run, leaves the others alone, and reactivates it on re-key', async () => {
    rig = await startRig(['good-1', 'revoked', 'good-2']);
    const { sim, manager, creds, messages, logs } = rig;
    const deactivated: AccountDeactivatedEvent[] = [];
    const reactivated: string[] = [];
    manager.on('deactivated', (e) => deactivated.push(e));
    manager.on('reactivated', (e) => reactivated.push(e.accountId));
    await vi.waitFor(() => expect(manager.health().connected).toBe(3), { timeout: 10_000 });

    const old = creds.get('revoked')!;
    expect(sim.accounts.revoke(old.keyId)).toBe(true);
    sim.accounts.drop(old.userId); // the next dial is refused with 401
    await vi.waitFor(() => expect(deactivated).toHaveLength(1), { timeout: 10_000 });
    expect(deactivated[0]).toMatchObject({ accountId: 'revoked', reason: 'unauthorized', status: 401 });
    const health = manager.health();
    expect(health.deactivated).toBe(1);
    expect(health.healthy).toBe(false);
    expect(health.accounts.find((a) => a.accountId === 'revoked')).toMatchObject({ state: 'deactivated', deactivatedReason: 'unauthorized' });
    expect(logs.filter((l) => l.level === 'warn' && l.message.includes('deactivated'))).toHaveLength(1);

    // No further dials: the simulator sees no new handshake attempt for a while, even with fills flowing.
    const rejectedBefore = sim.stats().handshakesRejected[401] ?? 0;
    for (let i = 0; i < 5; i++) for (const id of ['good-1', 'good-2']) sim.accounts.fill(creds.get(id)!.userId);
    await vi.waitFor(() => expect(deliveredFillIds(messages, 'good-2')).toHaveLength(5), { timeout: 5_000 });
    // A full reconnect cycle of another account (same backoff) gives a stray redial time to show up.
    const goodGeneration = manager.health().accounts.find((a) => a.accountId === 'good-1')!.generation;
    sim.accounts.drop(creds.get('good-1')!.userId);
    await vi.waitFor(
      () => {
        const good = manager.health().accounts.find((a) => a.accountId === 'good-1')!;
        expect(good.generation).toBeGreaterThan(goodGeneration);
        expect(good.state).toBe('open');
      },
      { timeout: 10_000 },
    );
    expect(manager.health().accounts.find((a) => a.accountId === 'revoked')!.generation).toBe(2); // the refused redial only
    expect(sim.stats().handshakesRejected[401] ?? 0).toBe(rejectedBefore);
    expect(rejectedBefore).toBe(1);
    expect(manager.health().accounts.filter((a) => a.state === 'open').map((a) => a.accountId)).toEqual(['good-1', 'good-2']);
    expect(manager.stats().deactivations).toBe(1);

    // Re-key: a new key for the same account in the source reactivates it.
    await rig.addAccount('revoked', old);
    await vi.waitFor(() => expect(manager.health().accounts.find((a) => a.accountId === 'revoked')?.state).toBe('open'), { timeout: 10_000 });
    expect(reactivated).toEqual(['revoked']);
    sim.accounts.fill(creds.get('revoked')!.userId);
    await vi.waitFor(() => expect(deliveredFillIds(messages, 'revoked').length).toBeGreaterThan(0), { timeout: 5_000 });
    expect(manager.health().healthy).toBe(true);
  });

  it('deactivates an account whose key may not use the private channels (Kalshi error 9 on subscribe)', async () => {
    rig = await startRig([]);
    const { sim, manager } = rig;
    const deactivated: AccountDeactivatedEvent[] = [];
    manager.on('deactivated', (e) => deactivated.push(e));
    const { createKalshiSigner } = await import('kalshi-ws-pool');
    // The simulator's own key has no account: the handshake passes, the private subscribe gets error 9.
    const c = sim.credentials!;
    rig.source.set({ id: 'no-account', signer: createKalshiSigner({ keyId: c.keyId, privateKey: c.privateKeyPem }) });
    await vi.waitFor(() => expect(deactivated).toHaveLength(1), { timeout: 10_000 });
    expect(deactivated[0]).toMatchObject({ accountId: 'no-account', reason: 'unauthorized', status: undefined });
    expect(deactivated[0]!.error.message).toContain('Kalshi error 9');
  });

  it('deactivates at start when the key is already refused', async () => {
    rig = await startRig(['ok']);
    const { sim, manager } = rig;
    const bad = await sim.accounts.create();
    sim.accounts.revoke(bad.keyId);
    const { createKalshiSigner } = await import('kalshi-ws-pool');
    rig.source.set({ id: 'bad', signer: createKalshiSigner({ keyId: bad.keyId, privateKey: bad.privateKeyPem }) });
    await vi.waitFor(() => expect(manager.health().deactivated).toBe(1), { timeout: 10_000 });
    expect(manager.health().connected).toBe(1);
  });
});
