import { describe, expect, it } from 'vitest';
import type { Clock } from 'kalshi-ws-pool';
import { Liveness } from '../../../src/client/liveness';

/** A hand-driven clock: timers fire on advance(). */
function manualClock(): Clock & { advance(ms: number): void; armed(): number } {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = next++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = end;
    },
    armed: () => timers.size,
  };
}

describe('Liveness', () => {
  it('fires onStale once after the silence, checking every staleAfterMs / 4', () => {
    const clock = manualClock();
    let last = 0;
    const stale: number[] = [];
    const liveness = new Liveness(
      { clock, staleAfterMs: 100, pingIntervalMs: 0 },
      { lastActivityAt: () => last, onStale: (ms) => stale.push(ms), sendPing: () => undefined },
    );
    liveness.start();
    expect(clock.armed()).toBe(1);
    clock.advance(90);
    last = clock.now();
    clock.advance(99);
    expect(stale).toEqual([]);
    clock.advance(30);
    expect(stale).toHaveLength(1);
    expect(stale[0]).toBeGreaterThanOrEqual(100);
    expect(stale[0]).toBeLessThanOrEqual(125);
    expect(clock.armed()).toBe(0);
    expect(liveness.active).toBe(false);
    clock.advance(1000);
    expect(stale).toHaveLength(1);
  });

  it('sends client pings every pingIntervalMs and stops cleanly', () => {
    const clock = manualClock();
    let pings = 0;
    const liveness = new Liveness(
      { clock, staleAfterMs: 10_000, pingIntervalMs: 50 },
      { lastActivityAt: () => clock.now(), onStale: () => undefined, sendPing: () => (pings += 1) },
    );
    liveness.start();
    liveness.start();
    clock.advance(160);
    expect(pings).toBe(3);
    liveness.stop();
    expect(clock.armed()).toBe(0);
    clock.advance(500);
    expect(pings).toBe(3);
  });
});
