import { ConfigError, createConnectionManager, createMemoryRegistry, managerDefaults } from 'kalshi-ws-pool';
import type { ConnectionManagerOptions } from 'kalshi-ws-pool';
import { createFakeClientFactory } from 'kalshi-ws-pool/testing';
import { describe, expect, it } from 'vitest';
import { resolveManagerOptions } from '../../../src/manager/manager-options';

const registry = createMemoryRegistry();
const factory = createFakeClientFactory().factory;
const signer = { headers: async () => ({ 'KALSHI-ACCESS-KEY': 'k', 'KALSHI-ACCESS-TIMESTAMP': '1', 'KALSHI-ACCESS-SIGNATURE': 's' }) };

function optionOf(options: unknown): string | undefined {
  try {
    resolveManagerOptions(options as ConnectionManagerOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).option;
  }
  return undefined;
}

describe('manager options', () => {
  it('exports the documented defaults, deep-frozen', () => {
    expect(Object.isFrozen(managerDefaults)).toBe(true);
    for (const key of ['layout', 'admission', 'reconnect', 'repair', 'queue'] as const) expect(Object.isFrozen(managerDefaults[key])).toBe(true);
    expect(managerDefaults).toMatchObject({
      layout: { ticker: 2, trade: 2, lifecycle: 2, orderbook: 144 },
      marketsPerConnection: 7_500,
      minHealthyConnections: 100,
      maxTickersPerCommand: 1_000,
      admission: { dialsPerSecond: 10, burst: 5, jitterMs: 250 },
      commandsPerSecond: 100,
      reconnect: { initialDelayMs: 1_000, maxDelayMs: 300_000, factor: 2, randomize: true, stableAfterMs: 60_000, maxAttempts: Infinity },
      repair: { enabled: true, batchSize: 1_000 },
      redundant: 'dedupe',
      dedupeWindow: 65_536,
      queue: { capacity: 10_000, lowWaterMark: 5_000, overflow: 'pause' },
      closeTimeoutMs: 10_000,
    });
  });

  it('fills every default', () => {
    const resolved = resolveManagerOptions({ clientFactory: factory, registry });
    expect(resolved.layout).toEqual(managerDefaults.layout);
    expect(resolved.minHealthyConnections).toBe(100);
    expect(resolved.reconnect).toEqual(managerDefaults.reconnect);
    expect(resolved.queue).toEqual(managerDefaults.queue);
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('the default minimum shrinks to small layouts; an explicit one above the slot count is an error', () => {
    expect(resolveManagerOptions({ clientFactory: factory, registry, layout: { orderbook: 4 } }).minHealthyConnections).toBe(10);
    expect(optionOf({ clientFactory: factory, registry, layout: { orderbook: 4 }, minHealthyConnections: 11 })).toBe('minHealthyConnections');
  });

  it('takes url + signer instead of a factory', () => {
    const resolved = resolveManagerOptions({ url: 'wss://example.test/trade-api/ws/v2', signer, registry, client: { commandTimeoutMs: 1_000 } });
    expect(resolved.clientFactory).toBeUndefined();
    expect(resolved.client).toEqual({ commandTimeoutMs: 1_000 });
  });

  const base = { clientFactory: factory, registry };
  it.each([
    ['no client source', { registry }, 'clientFactory'],
    ['factory and url', { ...base, url: 'wss://x' }, 'url'],
    ['factory and signer', { ...base, signer }, 'signer'],
    ['bad url', { url: 'http://x', signer, registry }, 'url'],
    ['no signer', { url: 'wss://x', registry }, 'signer'],
    ['factory not a function', { clientFactory: 1, registry }, 'clientFactory'],
    ['no registry', { clientFactory: factory }, 'registry'],
    ['bad router', { ...base, router: {} }, 'router'],
    ['bad clock', { ...base, clock: { now: () => 1 } }, 'clock'],
    ['bad logger', { ...base, logger: { info() {} } }, 'logger'],
    ['layout not an object', { ...base, layout: 3 }, 'layout'],
    ['negative layout count', { ...base, layout: { ticker: -1 } }, 'layout.ticker'],
    ['fractional layout count', { ...base, layout: { orderbook: 1.5 } }, 'layout.orderbook'],
    ['empty layout', { ...base, layout: { ticker: 0, trade: 0, lifecycle: 0, orderbook: 0 } }, 'layout'],
    ['marketsPerConnection 0', { ...base, marketsPerConnection: 0 }, 'marketsPerConnection'],
    ['maxTickersPerCommand NaN', { ...base, maxTickersPerCommand: Number.NaN }, 'maxTickersPerCommand'],
    ['dialsPerSecond 0', { ...base, admission: { dialsPerSecond: 0 } }, 'admission.dialsPerSecond'],
    ['burst 0', { ...base, admission: { burst: 0 } }, 'admission.burst'],
    ['negative jitter', { ...base, admission: { jitterMs: -1 } }, 'admission.jitterMs'],
    ['commandsPerSecond string', { ...base, commandsPerSecond: '100' }, 'commandsPerSecond'],
    ['initialDelayMs negative', { ...base, reconnect: { initialDelayMs: -5 } }, 'reconnect.initialDelayMs'],
    ['maxDelay below initial', { ...base, reconnect: { initialDelayMs: 10, maxDelayMs: 5 } }, 'reconnect.maxDelayMs'],
    ['factor below 1', { ...base, reconnect: { factor: 0.5 } }, 'reconnect.factor'],
    ['randomize not boolean', { ...base, reconnect: { randomize: 'yes' } }, 'reconnect.randomize'],
    ['stableAfterMs negative', { ...base, reconnect: { stableAfterMs: -1 } }, 'reconnect.stableAfterMs'],
    ['maxAttempts 0', { ...base, reconnect: { maxAttempts: 0 } }, 'reconnect.maxAttempts'],
    ['repair.enabled not boolean', { ...base, repair: { enabled: 1 } }, 'repair.enabled'],
    ['repair.batchSize 0', { ...base, repair: { batchSize: 0 } }, 'repair.batchSize'],
    ['redundant unknown', { ...base, redundant: 'both' }, 'redundant'],
    ['dedupeWindow 0', { ...base, dedupeWindow: 0 }, 'dedupeWindow'],
    ['queue.capacity 0', { ...base, queue: { capacity: 0 } }, 'queue.capacity'],
    ['lowWaterMark >= capacity', { ...base, queue: { capacity: 10, lowWaterMark: 10 } }, 'queue.lowWaterMark'],
    ['unknown overflow', { ...base, queue: { overflow: 'block' } }, 'queue.overflow'],
    ['closeTimeoutMs negative', { ...base, closeTimeoutMs: -1 }, 'closeTimeoutMs'],
  ])('%s -> ConfigError naming %s', (_name, options, option) => {
    expect(optionOf(options)).toBe(option);
  });

  it('createConnectionManager validates at once', () => {
    expect(() => createConnectionManager({ clientFactory: factory, registry, queue: { capacity: -1 } })).toThrow(ConfigError);
  });

  it('a custom capacity gets a proportional low-water mark', () => {
    expect(resolveManagerOptions({ ...base, queue: { capacity: 100 } }).queue.lowWaterMark).toBe(50);
  });
});
