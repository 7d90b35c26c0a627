import { ConfigError, createKalshiSigner, createMemoryAccountSource, createUserDataManager, userDataDefaults } from 'kalshi-ws-pool';
import type { UserDataManagerOptions } from 'kalshi-ws-pool';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const signer = createKalshiSigner({ keyId: 'k', privateKey: pem });
const base: UserDataManagerOptions = { url: 'ws://127.0.0.1:1/trade-api/ws/v2', accounts: createMemoryAccountSource() };

describe('user-data options', () => {
  it('has frozen defaults matching the issue (5 min reconcile, 60 s health, degraded after 3)', () => {
    expect(Object.isFrozen(userDataDefaults)).toBe(true);
    expect(Object.isFrozen(userDataDefaults.backfill)).toBe(true);
    expect(userDataDefaults.reconcileIntervalMs).toBe(300_000);
    expect(userDataDefaults.healthCheck).toEqual({ intervalMs: 60_000, failuresBeforeDegraded: 3 });
    expect(userDataDefaults.channels).toEqual(['fill', 'user_orders', 'market_positions', 'order_group_updates']);
  });

  it.each([
    ['url', { url: 'http://x' }],
    ['accounts', { accounts: {} }],
    ['channels', { channels: [] }],
    ['reconcileIntervalMs', { reconcileIntervalMs: -1 }],
    ['admission.dialsPerSecond', { admission: { dialsPerSecond: 0 } }],
    ['queue.overflow', { queue: { overflow: 'explode' } }],
    ['healthCheck.failuresBeforeDegraded', { healthCheck: { failuresBeforeDegraded: 0 } }],
    ['backfill.pageSize', { backfill: { pageSize: 1.5 } }],
    ['backfill.positions', { backfill: { positions: 'yes' } }],
    ['restUrl', { restUrl: 'ftp://x' }],
  ])('rejects a bad %s with a ConfigError naming it', (option, patch) => {
    const make = () => createUserDataManager({ ...base, ...(patch as object) } as UserDataManagerOptions);
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(expect.objectContaining({ code: 'KWP_CONFIG', message: expect.stringContaining(option) }) as Error);
  });

  it('rejects start() after stop() and stop() is idempotent', async () => {
    const manager = createUserDataManager(base);
    await manager.stop();
    await manager.stop();
    await expect(manager.start()).rejects.toMatchObject({ code: 'KWP_STATE' });
    expect(manager.state).toBe('stopped');
  });
});

describe('createMemoryAccountSource', () => {
  it('validates accounts and notifies listeners on set and remove', () => {
    const source = createMemoryAccountSource();
    let changes = 0;
    const stop = source.onChange!(() => changes++);
    expect(() => source.set({ id: '', signer })).toThrow(ConfigError);
    expect(() => source.set({ id: 'a', signer: {} as never })).toThrow(ConfigError);
    source.set({ id: 'a', signer });
    expect(source.ids()).toEqual(['a']);
    expect(source.remove('missing')).toBe(false);
    expect(source.remove('a')).toBe(true);
    expect(changes).toBe(2);
    stop();
    source.set({ id: 'b', signer });
    expect(changes).toBe(2);
  });
});
