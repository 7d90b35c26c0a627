import { describe, expect, it, vi } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { ONE_BOOK, obSid, settled, startedHarness } from './manager-helpers';

closeAfterEach();

describe('stats().commands agrees with the command events', () => {
  it('regression: a failed unsubscribe of a lost sid counts as sent and failed (it counted only sent)', async () => {
    const { manager, client, events: recorded } = await startedHarness(['A', 'B'], { layout: ONE_BOOK });
    const events = recorded('command');
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
