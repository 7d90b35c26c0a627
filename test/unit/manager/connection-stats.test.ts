import { afterEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { harness, settled, tickers } from './manager-helpers';
import type { Harness } from './manager-helpers';

let current: Harness | undefined;
afterEach(async () => {
  await current?.manager.stop();
  current = undefined;
});

describe('connectionStats()', () => {
  it('returns one plain entry per slot, in connection id order, with role and connected state', async () => {
    current = harness(tickers(3));
    const { manager } = current;
    await manager.start();
    await settled(manager);
    const stats = manager.connectionStats();
    expect(stats.map((s) => s.connectionId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(stats.map((s) => s.role)).toEqual(['ticker', 'ticker', 'trade', 'trade', 'lifecycle', 'lifecycle', 'orderbook', 'orderbook', 'orderbook']);
    expect(stats.every((s) => s.connected && s.generation === 1)).toBe(true);
    expect(stats[0]!.commandsSent).toEqual({ subscribe: 1 });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats); // plain data
  });

  it('keeps counting across reconnects: retired generations plus the live one', async () => {
    current = harness(tickers(3));
    const { manager, fakes } = current;
    await manager.start();
    await settled(manager);
    const first = fakes.latest(1)!;
    for (let i = 0; i < 5; i++) first.inject({ type: 'ok', id: 0 });
    expect(manager.connectionStats()[0]).toMatchObject({ messagesReceived: 5, commandsSent: { subscribe: 1 } });
    first.drop();
    await vi.waitFor(() => expect(fakes.clientsOf(1)).toHaveLength(2));
    await settled(manager);
    const second = fakes.latest(1)!;
    for (let i = 0; i < 3; i++) second.inject({ type: 'ok', id: 0 });
    const slot1 = manager.connectionStats()[0]!;
    expect(slot1).toMatchObject({ connectionId: 1, connected: true, generation: 2, messagesReceived: 8, commandsSent: { subscribe: 2 } });
    // Snapshots are detached: later frames do not change them.
    second.inject({ type: 'ok', id: 0 });
    expect(slot1.messagesReceived).toBe(8);
    expect(manager.connectionStats()[0]!.messagesReceived).toBe(9);
  });

  it('counts failed dials and keeps working after stop()', async () => {
    current = harness([], { minHealthyConnections: 8 });
    const { manager, fakes } = current;
    fakes.failConnect(9, new Error('refused'), 2);
    await manager.start();
    await vi.waitFor(() => expect(manager.connectionStats()[8]!.connected).toBe(true));
    expect(manager.connectionStats()[8]!.generation).toBe(3);
    await manager.stop();
    const after = manager.connectionStats();
    expect(after).toHaveLength(9);
    expect(after.every((s) => !s.connected)).toBe(true);
    expect(after[0]!.commandsSent).toEqual({ subscribe: 1 });
  });
});
