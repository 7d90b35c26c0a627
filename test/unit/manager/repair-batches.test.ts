import { describe, expect, it, vi } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { ONE_BOOK, obSid, startedHarness } from './manager-helpers';

closeAfterEach();

describe('repair batches', () => {
  it('a failed batch does not stop the others, and the failed repair is retried once', async () => {
    const { manager, client, events } = await startedHarness(['A', 'B', 'C'], { layout: ONE_BOOK, repair: { batchSize: 1 } });
    const repairs = events('repair');
    const sid = obSid(client);
    client.failNext(2, { action: 'get_snapshot' });
    client.skipSeq(sid, 1);
    client.data(sid, 'orderbook_delta', {});
    await vi.waitFor(() => expect(repairs).toHaveLength(2), { timeout: 3_000 });
    expect(repairs.map((r) => r.outcome)).toEqual(['failed', 'ok']);
    const batches = client.commands.filter((c) => c.action === 'get_snapshot').map((c) => c.tickers.join());
    // all three batches of the first attempt went out despite the first failing; the retry sent them again
    expect(batches).toHaveLength(6);
    expect(batches.slice(0, 3).sort()).toEqual(['A', 'B', 'C']);
    expect(batches.slice(3).sort()).toEqual(['A', 'B', 'C']);
    expect(manager.stats().repairs).toMatchObject({ ok: 1, failed: 1 });
  });
});
