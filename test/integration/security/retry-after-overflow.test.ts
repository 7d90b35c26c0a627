import { createConnectionManager, createKalshiSigner, createMemoryRegistry, RateLimitedError } from 'kalshi-ws-pool';
import type { ConnectionManager, ReconnectingEvent } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

let sim: Simulator | undefined;
let manager: ConnectionManager | undefined;
const warnings: Error[] = [];
const onWarning = (warning: Error): void => {
  warnings.push(warning);
};

afterEach(async () => {
  process.off('warning', onWarning);
  await manager?.stop();
  await sim?.close();
  manager = undefined;
  sim = undefined;
  warnings.length = 0;
});

describe('regression: a huge Retry-After on a 429 handshake (#19)', () => {
  it('Retry-After: 3000000 is capped at max(reconnect.maxDelayMs, 10 s): no TimeoutOverflowWarning, no spinning, the pool connects', async () => {
    process.on('warning', onWarning);
    sim = await startSimulator({ markets: 10, pingIntervalMs: 0 });
    const credentials = sim.credentials!;
    // 3,000,000 s = 3e9 ms > 2^31-1 ms.
    sim.faults.rejectHandshakes({ status: 429, count: 1, retryAfterSeconds: 3_000_000 });
    manager = createConnectionManager({
      url: sim.url,
      signer: createKalshiSigner({ keyId: credentials.keyId, privateKey: credentials.privateKeyPem }),
      registry: createMemoryRegistry(sim.markets),
      layout: { ticker: 1, trade: 0, lifecycle: 0, orderbook: 1 },
      minHealthyConnections: 1,
      admission: { dialsPerSecond: 50, burst: 2, jitterMs: 0 },
      reconnect: { initialDelayMs: 20, maxDelayMs: 300, stableAfterMs: 60_000 },
      closeTimeoutMs: 1_000,
    });
    const reconnecting: ReconnectingEvent[] = [];
    manager.on('reconnecting', (event) => reconnecting.push(event));
    await manager.start();
    // Both slots connect once the capped hold (300 ms) has passed, well within the bound.
    await vi.waitFor(() => expect(manager!.health()).toMatchObject({ connected: 2, total: 2 }), { timeout: 20_000 });
    const limited = reconnecting.filter((event) => event.error instanceof RateLimitedError);
    expect(limited).toHaveLength(1);
    expect((limited[0]!.error as RateLimitedError).retryAfterMs).toBe(3_000_000_000);
    expect(limited[0]!.delayMs).toBeLessThanOrEqual(10_000);
    // The rejected dial plus one per slot: the limiter did not spin dials.
    expect(sim.stats().handshakesRejected[429]).toBe(1);
    expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
  });
});
