import { createKalshiSigner, createMemoryAccountSource, createUserDataManager } from 'kalshi-ws-pool';
import type { UserDataMessage } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import { describe, expect, it, vi } from 'vitest';
import { deliveredFillIds } from './user-data-helpers';

describe('user data: output queue', () => {
  it("with 'pause', a slow consumer pauses the account sockets and loses nothing", async () => {
    const sim = await startSimulator({ markets: 5, pingIntervalMs: 0 });
    const c = await sim.accounts.create();
    const manager = createUserDataManager({
      url: sim.url,
      accounts: createMemoryAccountSource([{ id: 'slow', signer: createKalshiSigner({ keyId: c.keyId, privateKey: c.privateKeyPem }) }]),
      queue: { capacity: 6, lowWaterMark: 2, overflow: 'pause' },
      backfill: { enabled: false },
    });
    try {
      await manager.start();
      await vi.waitFor(() => expect(manager.health().connected).toBe(1), { timeout: 10_000 });
      for (let i = 0; i < 10; i++) sim.accounts.fill(c.userId); // 30 frames (order, fill, position each)
      await vi.waitFor(() => expect(manager.health().paused).toBe(true), { timeout: 5_000 });
      const got: UserDataMessage[] = [];
      for await (const batch of manager.batches(4)) {
        got.push(...batch);
        if (got.length >= 30) break;
      }
      expect(deliveredFillIds(got, 'slow')).toEqual(sim.accounts.fills(c.userId).map((f) => f.fillId));
      expect(manager.stats().messagesDropped).toBe(0);
      expect(manager.health().paused).toBe(false);
    } finally {
      await manager.stop();
      await sim.close();
    }
  });
});
