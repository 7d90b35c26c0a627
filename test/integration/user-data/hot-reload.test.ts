import { createKalshiSigner, createMemoryAccountSource, createUserDataManager } from 'kalshi-ws-pool';
import type { Account, AccountSource, ReconcileEvent } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { simulatorForTest } from '../../helpers/simulator';
import { closeAfterEach } from '../../helpers/teardown';
import { startRig } from './user-data-helpers';
import type { UserDataRig } from './user-data-helpers';

let rig: UserDataRig | undefined;
closeAfterEach();

const openIds = (rigOrHealth: { health(): { accounts: { accountId: string; state: string }[] } }): string[] =>
  rigOrHealth
    .health()
    .accounts.filter((a) => a.state === 'open')
    .map((a) => a.accountId);

describe('user data: hot reload', () => {
  it('connects added and closes removed accounts on the change event (one reconcile)', async () => {
    rig = await startRig(['keep', 'leave']);
    const { sim: s, manager, source, creds } = rig;
    const reconciles: ReconcileEvent[] = [];
    manager.on('reconcile', (e) => reconciles.push(e));
    await vi.waitFor(() => expect(openIds(manager)).toEqual(['keep', 'leave']), { timeout: 10_000 });

    await rig.addAccount('join');
    source.remove('leave');
    await vi.waitFor(() => expect(openIds(manager)).toEqual(['join', 'keep']), { timeout: 10_000 });
    expect(manager.health().total).toBe(2);
    await vi.waitFor(() => expect(s.accounts.openConnections(creds.get('leave')!.userId)).toBe(0), { timeout: 5_000 });
    const applied = reconciles.reduce((sum, e) => sum + e.added + e.removed, 0);
    expect(applied).toBe(2);
    expect(manager.stats().hotReload).toMatchObject({ added: 3, removed: 1 });
  });

  it('redials an open account with its new key when the source re-keys it', async () => {
    rig = await startRig(['rotating']);
    const { sim, manager, creds, messages } = rig;
    await vi.waitFor(() => expect(openIds(manager)).toEqual(['rotating']), { timeout: 10_000 });
    const old = creds.get('rotating')!;
    const generation = manager.health().accounts[0]!.generation;
    const fresh = await rig.addAccount('rotating', old);
    await vi.waitFor(
      () => {
        expect(manager.health().accounts[0]).toMatchObject({ state: 'open' });
        expect(manager.health().accounts[0]!.generation).toBeGreaterThan(generation);
      },
      { timeout: 10_000 },
    );
    expect(manager.stats().hotReload.rekeyed).toBe(1);
    // The old key can go now: the account keeps streaming on the new one.
    sim.accounts.revoke(old.keyId);
    await vi.waitFor(() => expect(sim.connections().filter((c) => c.open)).toHaveLength(1), { timeout: 5_000 });
    sim.accounts.fill(fresh.userId);
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'fill' && m.accountId === 'rotating')).toBe(true), { timeout: 5_000 });
    expect(manager.stats().deactivations).toBe(0);
  });

  it('picks up changes of a source without change events within one reconcile interval', async () => {
    const sim = await simulatorForTest({ markets: 5, pingIntervalMs: 0 });
    const accounts: Account[] = [];
    const add = async (id: string): Promise<void> => {
      const c = await sim.accounts.create();
      accounts.push({ id, signer: createKalshiSigner({ keyId: c.keyId, privateKey: c.privateKeyPem }) });
    };
    await add('first');
    // A plain source (e.g. a database query) with no onChange: only the timer finds changes.
    const source: AccountSource = { accounts: () => [...accounts] };
    const manager = createUserDataManager({ url: sim.url, accounts: source, reconcileIntervalMs: 300, admission: { dialsPerSecond: 100, burst: 10, jitterMs: 0 } });
    try {
      await manager.start();
      await vi.waitFor(() => expect(openIds(manager)).toEqual(['first']), { timeout: 10_000 });
      const before = manager.stats().reconciliations.ok;
      await add('second');
      accounts.splice(0, 1);
      await vi.waitFor(() => expect(openIds(manager)).toEqual(['second']), { timeout: 10_000 });
      // Applied by the first timer reconcile after the change (one reconcile, maybe one running at the change).
      expect(manager.stats().reconciliations.ok - before).toBeLessThanOrEqual(2);
      expect(manager.health().total).toBe(1);
    } finally {
      await manager.stop();
    }
    expect(manager.state).toBe('stopped');
    await expect(manager.reconcile()).rejects.toMatchObject({ code: 'KWP_CLOSED' });
    expect(sim.connections().filter((c) => c.open)).toHaveLength(0);
  });

  it('keeps the current accounts when the source fails, and reports the failed reconciliation', async () => {
    const sim = await simulatorForTest({ markets: 5, pingIntervalMs: 0 });
    const c = await sim.accounts.create();
    let fail = false;
    const memory = createMemoryAccountSource([{ id: 'one', signer: createKalshiSigner({ keyId: c.keyId, privateKey: c.privateKeyPem }) }]);
    const source: AccountSource = {
      accounts: () => {
        if (fail) throw new Error('database down');
        return memory.accounts();
      },
    };
    const manager = createUserDataManager({ url: sim.url, accounts: source, reconcileIntervalMs: 0 });
    try {
      await manager.start();
      await vi.waitFor(() => expect(openIds(manager)).toEqual(['one']), { timeout: 10_000 });
      fail = true;
      await manager.reconcile();
      expect(manager.stats().reconciliations.failed).toBe(1);
      expect(openIds(manager)).toEqual(['one']);
    } finally {
      await manager.stop();
    }
  });
});
