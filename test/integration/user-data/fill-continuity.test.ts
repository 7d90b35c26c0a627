import { describe, expect, it, vi } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { deliveredFillIds, startRig } from './user-data-helpers';
import type { UserDataRig } from './user-data-helpers';

let rig: UserDataRig | undefined;
closeAfterEach();

describe('user data: fill continuity', () => {
  it('delivers every fill exactly once per account while connections are killed repeatedly', async () => {
    const ids = ['acct-a', 'acct-b', 'acct-c'];
    rig = await startRig(ids);
    const { sim, manager, creds, messages } = rig;
    await vi.waitFor(() => expect(manager.health().connected).toBe(3), { timeout: 10_000 });

    // 8 rounds: fills flow to every account; each round one account is dropped right after a fill
    // (so fills land while it is down), alternating accounts.
    for (let round = 0; round < 8; round++) {
      for (const id of ids) for (let i = 0; i < 3; i++) sim.accounts.fill(creds.get(id)!.userId);
      const victim = ids[round % ids.length]!;
      const account = () => manager.health().accounts.find((a) => a.accountId === victim)!;
      const generation = account().generation;
      expect(sim.accounts.drop(creds.get(victim)!.userId)).toBe(1);
      // Fills while the victim is down reach only the REST history.
      for (let i = 0; i < 4; i++) sim.accounts.fill(creds.get(victim)!.userId);
      await vi.waitFor(
        () => {
          expect(account().generation).toBeGreaterThan(generation);
          expect(account().state).toBe('open');
        },
        { timeout: 10_000 },
      );
    }
    for (const id of ids) sim.accounts.fill(creds.get(id)!.userId);

    for (const id of ids) {
      const expected = sim.accounts.fills(creds.get(id)!.userId).map((f) => f.fillId);
      await vi.waitFor(() => expect(new Set(deliveredFillIds(messages, id))).toEqual(new Set(expected)), { timeout: 10_000 });
      const delivered = deliveredFillIds(messages, id);
      expect(delivered).toHaveLength(expected.length); // exactly once
    }
    const stats = manager.stats();
    expect(stats.fillsBackfilled).toBeGreaterThan(0); // some fills came only through REST
    expect(stats.reconnects.error + stats.reconnects.clean).toBeGreaterThanOrEqual(8);
    const backfilled = messages.filter((m) => m.backfilled);
    expect(backfilled.every((m) => m.type === 'fill')).toBe(true);
    // Other private channels flow too, tagged with the account.
    expect(messages.some((m) => m.type === 'user_order' && m.accountId === 'acct-a')).toBe(true);
    expect(messages.some((m) => m.type === 'market_position' && m.accountId === 'acct-b')).toBe(true);
  });

  it('pages through the REST history with the cursor', async () => {
    rig = await startRig(['acct-c'], { backfill: { pageSize: 3 } });
    const { sim, manager, creds, messages } = rig;
    const pages: number[] = [];
    manager.on('backfill', (e) => pages.push(e.pages));
    await vi.waitFor(() => expect(manager.health().connected).toBe(1), { timeout: 10_000 });
    const user = creds.get('acct-c')!.userId;
    // Fills right after the drop reach only REST while the account is down (or the new socket, if it is back).
    sim.accounts.drop(user);
    for (let i = 0; i < 10; i++) sim.accounts.fill(user);
    const expected = sim.accounts.fills(user).map((f) => f.fillId);
    await vi.waitFor(() => expect(new Set(deliveredFillIds(messages, 'acct-c'))).toEqual(new Set(expected)), { timeout: 10_000 });
    expect(deliveredFillIds(messages, 'acct-c')).toHaveLength(10);
    // Each backfill reads ceil(n / 3) pages of the fills since min_ts; one of them saw several pages.
    await vi.waitFor(() => expect(Math.max(...pages)).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
  });

  it('retries a failed backfill on the same connection from the same point', async () => {
    rig = await startRig(['acct-r']);
    const { sim, manager, creds, messages } = rig;
    const outcomes: string[] = [];
    manager.on('backfill', (e) => outcomes.push(e.status));
    await vi.waitFor(() => expect(outcomes).toEqual(['ok']), { timeout: 10_000 });
    const user = creds.get('acct-r')!.userId;
    const generation = manager.health().accounts[0]!.generation;
    sim.faults.rejectHandshakes({ status: 500, count: 2, applyTo: 'rest' });
    sim.accounts.drop(user);
    for (let i = 0; i < 4; i++) sim.accounts.fill(user); // only REST has these
    await vi.waitFor(() => expect(outcomes.slice(1)).toEqual(['failed', 'failed', 'ok']), { timeout: 10_000 });
    expect(manager.health().accounts[0]!.generation).toBe(generation + 1); // retried without a reconnect
    const expected = sim.accounts.fills(user).map((f) => f.fillId);
    expect(new Set(deliveredFillIds(messages, 'acct-r'))).toEqual(new Set(expected));
    expect(deliveredFillIds(messages, 'acct-r')).toHaveLength(4);
    expect(manager.stats().backfills).toEqual({ ok: 2, failed: 2 });
  });

  it('delivers a positions snapshot after each connect when asked', async () => {
    rig = await startRig(['acct-p'], { backfill: { positions: true } });
    const { sim, manager, creds, messages } = rig;
    await vi.waitFor(() => expect(manager.stats().positionsSnapshots).toBe(1), { timeout: 10_000 });
    sim.accounts.fill(creds.get('acct-p')!.userId, { count: 4, side: 'yes' });
    sim.accounts.drop(creds.get('acct-p')!.userId);
    await vi.waitFor(() => expect(manager.stats().positionsSnapshots).toBe(2), { timeout: 10_000 });
    const last = messages.filter((m) => m.type === 'positions_snapshot').at(-1)!;
    const body = JSON.parse(Buffer.from(last.data).toString('utf8')) as { msg: { market_positions: { position_fp: string }[] } };
    expect(body.msg.market_positions).toHaveLength(1);
    expect(body.msg.market_positions[0]!.position_fp).toBe('4.00');
    expect(last.backfilled).toBe(true);
  });
});
