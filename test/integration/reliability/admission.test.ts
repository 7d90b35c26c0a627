import { RateLimitedError } from 'kalshi-ws-pool';
import type { ReconnectingEvent } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { expectEndState, maxInWindow, startReliabilityPool, useReliabilityPools, waitInSync, worstBucketExcess } from './reliability-helpers';
import type { ReliabilityPool } from './reliability-helpers';

let pool: ReliabilityPool | undefined;
useReliabilityPools();

const dialsPerSecond = 100;
const burst = 5;
const traffic = { orderbookDeltasPerSecond: 500, tradesPerSecond: 50, tickersPerSecond: 50 };

interface Measured {
  dials: number[];
  retryAfterAt: number | undefined;
}

/** Kill every connection while the simulator answers some handshakes with 429; measure every dial. */
async function massReconnect(rejections: { count: number; fraction?: number; retryAfterSeconds?: number }): Promise<Measured> {
  pool = await startReliabilityPool({ sim: { traffic }, manager: { admission: { dialsPerSecond, burst, jitterMs: 0 } } });
  await waitInSync(pool.manager);
  const reconnecting: (ReconnectingEvent & { at: number })[] = [];
  pool.manager.on('reconnecting', (e) => reconnecting.push({ ...e, at: performance.now() }));
  const firstDial = pool.dials.length;
  const handshakes = pool.sim.stats().handshakesAccepted;
  pool.sim.faults.rejectHandshakes({ status: 429, ...rejections });
  const since = pool.messages.length;
  expect(pool.sim.faults.drop({ connection: 'all' }, { mode: 'destroy' })).toBe(150);
  await vi.waitFor(() => expect(pool!.reconnects).toHaveLength(150), { timeout: 15_000 });
  await expectEndState(pool, { markets: pool.registry.markets(), since });

  const stats = pool.sim.stats();
  expect(stats.handshakesRejected[429]).toBe(rejections.count);
  expect(stats.handshakesAccepted - handshakes).toBe(150);
  const dials = pool.dials.slice(firstDial);
  // every dial the pool made reached the simulator: the timestamps are the handshakes
  expect(dials).toHaveLength(150 + rejections.count);
  // token bucket: in any interval, at most burst + rate * length dials (1 dial of slack for timer rounding)
  expect(worstBucketExcess(dials, dialsPerSecond, burst)).toBeLessThanOrEqual(1);
  expect(maxInWindow(dials, 1_000)).toBeLessThanOrEqual(dialsPerSecond + burst);
  expect(reconnecting.filter((e) => e.error instanceof RateLimitedError)).toHaveLength(rejections.count);
  const retryAfterAt = reconnecting.find((e) => e.error instanceof RateLimitedError && e.error.retryAfterMs !== undefined)?.at;
  if (process.env['RELIABILITY_VERBOSE'] !== undefined) console.info('dials', dials.length, 'max per 1 s window', maxInWindow(dials, 1_000), 'worst bucket excess', worstBucketExcess(dials, dialsPerSecond, burst).toFixed(2));
  return { dials, retryAfterAt };
}

describe('fault matrix: 429 on a mass reconnect (admission 100 dials/s, burst 5)', () => {
  it('429 with Retry-After: the whole pool holds its dials for Retry-After, then dials within the rate', async () => {
    const { dials, retryAfterAt } = await massReconnect({ count: 6, retryAfterSeconds: 1 });
    expect(retryAfterAt).toBeDefined();
    // nothing dials while the hold lasts (50 ms tolerance for timers)
    const duringHold = dials.filter((t) => t > retryAfterAt! + 1 && t < retryAfterAt! + 950);
    expect(duringHold).toEqual([]);
    const span = Math.max(...dials) - Math.min(...dials);
    expect(span).toBeGreaterThanOrEqual(1_000 + ((156 - burst) / dialsPerSecond) * 1000 * 0.5);
  });

  it('429 without Retry-After: rejected slots back off, the dial rate never exceeds the limit', async () => {
    const { dials, retryAfterAt } = await massReconnect({ count: 60, fraction: 0.5 });
    expect(retryAfterAt).toBeUndefined();
    const span = Math.max(...dials) - Math.min(...dials);
    // 210 dials at 100/s with a burst of 5 cannot take less than 2.05 s
    expect(span).toBeGreaterThanOrEqual(((210 - burst) / dialsPerSecond) * 1000 * 0.95);
  });
});
