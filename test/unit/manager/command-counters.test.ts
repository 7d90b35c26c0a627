import type { CommandEvent } from 'kalshi-ws-pool';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { harness, obSid, settled } from './manager-helpers';
import type { Harness } from './manager-helpers';

let current: Harness | undefined;
afterEach(async () => {
  await current?.manager.stop();
  current = undefined;
});
const ONE_BOOK = { ticker: 0, trade: 0, lifecycle: 0, orderbook: 1 } as const;

describe('stats().commands agrees with the command events', () => {
  it('regression: a failed unsubscribe of a lost sid counts as sent and failed (it counted only sent)', async () => {
    current = harness(['A', 'B'], { layout: ONE_BOOK });
    const { manager, fakes } = current;
    const events: CommandEvent[] = [];
    manager.on('command', (e) => events.push(e));
    await manager.start();
    await settled(manager);
    const client = fakes.latest(1)!;
    client.failNext(11, { cmd: 'unsubscribe' });
    client.subscriptionError(obSid(client), 10);
    await vi.waitFor(() => expect(events.some((e) => e.cmd === 'unsubscribe' && e.outcome === 'rejected')).toBe(true));
    await settled(manager);
    const { commands } = manager.stats();
    expect(commands.sent).toBe(events.length);
    expect(commands.failed).toBe(events.filter((e) => e.outcome !== 'ok').length);
    expect(commands.failed).toBeGreaterThanOrEqual(1);
    expect(commands.pending).toBe(0);
  });
});
