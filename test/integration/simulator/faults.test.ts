import { describe, expect, it } from 'vitest';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { seqs, simulatorSuite } from './helpers';
import type { TestClient } from './helpers';

let sim: Simulator;
const client = simulatorSuite({ markets: 10, pingIntervalMs: 40 }, (s) => (sim = s));

/** A client with orderbook sid 1 on markets[0..1] and trade sid 2; returns it with its connection id. */
async function ready(): Promise<{ c: TestClient; conn: number }> {
  const c = await client();
  const conn = Math.max(...sim.connections().map((x) => x.id));
  c.send('subscribe', { channels: ['orderbook_delta', 'trade'], market_tickers: sim.markets.slice(0, 2) });
  await c.waitFor((f) => f.type === 'orderbook_snapshot', 2);
  return { c, conn };
}

const t0 = (): string => sim.markets[0]!;

function closed(c: TestClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => c.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe('faults', () => {
  it('drop: clean close with a code, or destroy without a close frame', async () => {
    const a = await ready();
    const b = await ready();
    const aClosed = closed(a.c);
    const bClosed = closed(b.c);
    expect(sim.faults.drop({ connection: a.conn }, { mode: 'close', code: 4000, reason: 'bye' })).toBe(1);
    expect(await aClosed).toEqual({ code: 4000, reason: 'bye' });
    sim.faults.drop({ connection: b.conn }, { mode: 'destroy' });
    expect((await bClosed).code).toBe(1006);
    await expect.poll(() => sim.connections().filter((x) => x.id === a.conn || x.id === b.conn).every((x) => !x.open)).toBe(true);
  });

  it('pings every pingIntervalMs with payload heartbeat; stopPings stops only pings', async () => {
    const { c, conn } = await ready();
    const payloads: string[] = [];
    const times: number[] = [];
    c.ws.on('ping', (data) => {
      payloads.push(data.toString());
      times.push(performance.now());
    });
    await expect.poll(() => payloads.length).toBeGreaterThanOrEqual(4);
    expect(new Set(payloads)).toEqual(new Set(['heartbeat']));
    // Every 40 ms, give or take timer jitter.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(25);
    expect(mean).toBeLessThan(120);
    sim.faults.stopPings({ connection: conn });
    await new Promise((r) => setTimeout(r, 60));
    const frozen = c.pings;
    await new Promise((r) => setTimeout(r, 150));
    expect(c.pings).toBe(frozen);
    sim.publishDelta(t0());
    await c.waitFor((f) => f.type === 'orderbook_delta');
    sim.faults.resumePings({ connection: conn });
    await expect.poll(() => c.pings).toBeGreaterThan(frozen);
  });

  it('silence: no data, no replies, no pings, socket open; after unsilence the lost frames show as a gap', async () => {
    const { c, conn } = await ready();
    sim.faults.silence({ connection: conn });
    await new Promise((r) => setTimeout(r, 60));
    const pings = c.pings;
    const count = c.frames.length;
    sim.publishDelta(t0());
    sim.publishDelta(t0());
    c.send('list_subscriptions');
    await new Promise((r) => setTimeout(r, 150));
    expect(c.frames.length).toBe(count);
    expect(c.pings).toBe(pings);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect(sim.stats().commandsLost).toBeGreaterThanOrEqual(1);
    sim.faults.unsilence({ connection: conn });
    sim.publishDelta(t0());
    const [delta] = await c.waitFor((f) => f.type === 'orderbook_delta');
    expect(delta!.seq).toBe(5); // 1, 2 snapshots; 3, 4 lost
  });

  it('skipSeq and repeatSeq on one sid', async () => {
    const { c, conn } = await ready();
    expect(sim.faults.skipSeq({ connection: conn, sid: 1 }, 3)).toBe(1);
    sim.publishDelta(t0());
    expect(sim.faults.repeatSeq({ connection: conn, sid: 1 })).toBe(1);
    sim.publishDelta(t0());
    sim.publishDelta(t0());
    sim.publishTrade(t0());
    const deltas = await c.waitFor((f) => f.type === 'orderbook_delta', 3);
    expect(seqs(deltas)).toEqual([6, 6, 7]);
    const [trade] = await c.waitFor((f) => f.type === 'trade');
    expect(trade!.seq).toBe(1);
  });

  it('delayReplies delays the next commands; ignoreCommands swallows them', async () => {
    const { c, conn } = await ready();
    sim.faults.delayReplies({ connection: conn }, 150, 1);
    const started = Date.now();
    const slow = c.send('list_subscriptions');
    await c.waitFor((f) => f.id === slow);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const fast = c.send('list_subscriptions');
    await c.waitFor((f) => f.id === fast);
    sim.faults.ignoreCommands({ connection: conn }, 1);
    const ignored = c.send('list_subscriptions');
    const answered = c.send('list_subscriptions');
    await c.waitFor((f) => f.id === answered);
    expect(c.replies(ignored)).toEqual([]);
    expect(sim.stats().commandsIgnored).toBeGreaterThanOrEqual(1);
  });

  it('failCommands answers matching commands with an error code and no effect', async () => {
    const { c, conn } = await ready();
    sim.faults.failCommands({ connection: conn }, 18, { cmd: 'update_subscription', count: 1 });
    const list = c.send('list_subscriptions');
    const failed = c.send('update_subscription', { sids: [1], action: 'add_markets', market_tickers: [sim.markets[5]] });
    const retried = c.send('update_subscription', { sids: [1], action: 'add_markets', market_tickers: [sim.markets[5]] });
    await c.waitFor((f) => f.id === retried);
    expect(c.replies(list)[0]!.type).toBe('ok');
    expect(c.replies(failed)[0]).toMatchObject({ type: 'error', msg: { code: 18 } });
    expect(c.replies(failed)[0]!.sid).toBeUndefined();
    expect(c.replies(retried)[0]).toMatchObject({ type: 'ok', seq: 3 });
  });

  it('sidError sends an unsolicited error with sid and seq but no id, and 10 drops the subscription', async () => {
    const { c, conn } = await ready();
    expect(sim.faults.sidError({ connection: conn, sid: 1 }, 10)).toBe(1);
    const [err] = await c.waitFor((f) => f.type === 'error');
    expect(err).toMatchObject({ sid: 1, seq: 3, msg: { code: 10 } });
    expect(err!.id).toBeUndefined();
    const info = sim.connections().find((x) => x.id === conn)!;
    expect(info.subscriptions.map((s) => s.channel)).toEqual(['trade']);
    expect(sim.connectionsHolding(t0())).not.toContain(conn);
  });

  it('sendMalformed sends not-JSON, truncated, binary, oversized and unknown-sid frames', async () => {
    const { c, conn } = await ready();
    const target = { connection: conn };
    sim.faults.sendMalformed(target, 'not-json');
    sim.faults.sendMalformed(target, 'truncated');
    sim.faults.sendMalformed(target, 'binary');
    sim.faults.sendMalformed(target, 'oversized', { bytes: 200_000 });
    sim.faults.sendMalformed(target, 'unknown-sid');
    await c.waitFor((f) => f.type === '<unparsable>', 2);
    await expect.poll(() => c.binary.length).toBe(1);
    const [big] = await c.waitFor((f) => f.type === 'oversized');
    expect(big!.raw.length).toBe(200_000);
    const [stray] = await c.waitFor((f) => f.type === 'orderbook_delta');
    expect(stray!.sid).toBeGreaterThan(2);
  });

  it('sendSnapshot sends an unsolicited snapshot in the sid seq', async () => {
    const { c, conn } = await ready();
    const t1 = sim.markets[1]!;
    expect(sim.faults.sendSnapshot({ connection: conn }, t1)).toBe(1);
    const snaps = await c.waitFor((f) => f.type === 'orderbook_snapshot', 3);
    expect(snaps[2]).toMatchObject({ sid: 1, seq: 3, msg: { market_ticker: t1 } });
    expect(snaps[2]!.id).toBeUndefined();
  });

  it('clear removes standing faults', async () => {
    const { c, conn } = await ready();
    sim.faults.ignoreCommands({ connection: conn });
    sim.faults.skipSeq({ connection: conn });
    sim.faults.clear();
    const id = c.send('list_subscriptions');
    await c.waitFor((f) => f.id === id);
    sim.publishDelta(t0());
    const [delta] = await c.waitFor((f) => f.type === 'orderbook_delta');
    expect(delta!.seq).toBe(3);
  });

  it('clear resets the whole fault-state table of every connection and sid', async () => {
    const { c, conn } = await ready();
    sim.faults.silence({ connection: conn });
    sim.faults.stopPings({ connection: conn });
    sim.faults.delayReplies({ connection: conn }, 60_000);
    sim.faults.failCommands({ connection: conn }, 18);
    sim.faults.repeatSeq({ connection: conn, sid: 1 });
    expect(sim.connections().find((x) => x.id === conn)).toMatchObject({ silenced: true, pingsStopped: true });
    sim.faults.clear();
    expect(sim.connections().find((x) => x.id === conn)).toMatchObject({ silenced: false, pingsStopped: false });
    // Neither delayed (60 s) nor failed: answered with its own reply at once.
    const id = c.send('list_subscriptions');
    const [reply] = await c.waitFor((f) => f.id === id);
    expect(reply!.type).not.toBe('error');
    const pings = c.pings;
    await expect.poll(() => c.pings, { timeout: 2000 }).toBeGreaterThan(pings);
    sim.publishDelta(t0());
    const [delta] = await c.waitFor((f) => f.type === 'orderbook_delta');
    // The two snapshots took seqs 1 and 2: not a repeat of 2.
    expect(delta!.seq).toBe(3);
  });

  it('sendMalformed rejects an unknown kind even when no connection is targeted', () => {
    expect(() => sim.faults.sendMalformed({ connection: 9999 }, 'no-such-kind' as never)).toThrow(/unknown malformed kind/);
  });
});
