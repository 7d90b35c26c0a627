/**
 * Regression tests for the option bugs of issue #12 item 5 and #19 item 4: one validation module behind
 * every resolver, errors naming the option as written, unknown keys rejected with a suggestion, durations
 * capped at 2^31-1 ms, and a ConfigError never retried.
 */
import { ConfigError, createConnectionManager, createKalshiClient, createKalshiRestRegistry, createMemoryRegistry } from 'kalshi-ws-pool';
import type { ConnectionManagerOptions, KalshiClientOptions, KalshiRestRegistryOptions } from 'kalshi-ws-pool';
import { registerPrometheusMetrics } from 'kalshi-ws-pool/prometheus';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { SimulatorOptions } from 'kalshi-ws-pool/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';

const registry = createMemoryRegistry();
const signer = { headers: async () => ({ 'KALSHI-ACCESS-KEY': 'k', 'KALSHI-ACCESS-TIMESTAMP': '1', 'KALSHI-ACCESS-SIGNATURE': 's' }) };
const dial = { url: 'wss://example.test/trade-api/ws/v2', signer, registry } as const;
const TOO_LONG = 2 ** 31;

function configErrorOf(build: () => unknown): ConfigError {
  let caught: unknown;
  try {
    build();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

const manager = (options: Record<string, unknown>) => () => createConnectionManager({ ...dial, ...options } as unknown as ConnectionManagerOptions);

describe('manager options name what the user wrote', () => {
  it('marketsPerConnection: 3e9 names marketsPerConnection, not the internal capacity', () => {
    const error = configErrorOf(manager({ marketsPerConnection: 3e9 }));
    expect(error.option).toBe('marketsPerConnection');
    expect(error.message).toContain('3000000000');
  });

  it('closeTimeoutMs: 0 is rejected up front with the client rule, not by every client at start()', () => {
    expect(configErrorOf(manager({ closeTimeoutMs: 0 })).option).toBe('closeTimeoutMs');
    // The same rule when the client options carry it: named under `client`.
    expect(configErrorOf(manager({ client: { closeTimeoutMs: 0 } })).option).toBe('client.closeTimeoutMs');
    expect(configErrorOf(manager({ client: { maxPayload: TOO_LONG } })).option).toBe('client.maxPayload');
  });

  it("client.transport is checked up front: a bad value, or 'native' with perMessageDeflate (#13)", () => {
    expect(configErrorOf(manager({ client: { transport: 'uws' } })).option).toBe('client.transport');
    const error = configErrorOf(manager({ client: { transport: 'native', perMessageDeflate: true } }));
    expect(error.option).toBe('client.transport');
    expect(error.message).toMatch(/compression/);
    expect(() => manager({ client: { transport: 'native' } })()).not.toThrow();
  });
});

describe('durations are capped at 2^31-1 ms', () => {
  const durations = [
    'closeTimeoutMs',
    'admission.jitterMs',
    'reconnect.initialDelayMs',
    'reconnect.stableAfterMs',
    'healthCheck.intervalMs',
    'healthCheck.silentSubscriptionMs',
  ];
  it.each(durations)('manager %s', (path) => {
    const [head, leaf] = path.split('.') as [string, string | undefined];
    const options = leaf === undefined ? { [head]: TOO_LONG } : { [head]: { [leaf]: TOO_LONG } };
    expect(configErrorOf(manager(options)).option).toBe(path);
    const ok = leaf === undefined ? { [head]: TOO_LONG - 1 } : { [head]: { [leaf]: TOO_LONG - 1 } };
    if (path !== 'reconnect.initialDelayMs') expect(() => manager(ok)()).not.toThrow();
  });

  it('reconnect.maxDelayMs', () => {
    expect(configErrorOf(manager({ reconnect: { maxDelayMs: TOO_LONG } })).option).toBe('reconnect.maxDelayMs');
  });

  it.each(['dialTimeoutMs', 'commandTimeoutMs', 'staleAfterMs', 'pingIntervalMs', 'closeTimeoutMs'])('client %s', (key) => {
    const error = configErrorOf(() => createKalshiClient({ url: dial.url, signer, [key]: TOO_LONG } as KalshiClientOptions));
    expect(error.option).toBe(key);
  });

  it.each(['reconcileIntervalMs', 'requestTimeoutMs', 'retry.maxDelayMs'])('REST registry %s', (path) => {
    const [head, leaf] = path.split('.') as [string, string | undefined];
    const extra = leaf === undefined ? { [head]: TOO_LONG } : { [head]: { [leaf]: TOO_LONG } };
    const error = configErrorOf(() => createKalshiRestRegistry({ baseUrl: 'https://example.test/trade-api/v2', signer, ...extra } as KalshiRestRegistryOptions));
    expect(error.option).toBe(path);
  });

  it.each(['pingIntervalMs', 'timestampWindowMs', 'traffic.burstEveryMs'])('simulator %s', async (path) => {
    const [head, leaf] = path.split('.') as [string, string | undefined];
    const options = (leaf === undefined ? { [head]: TOO_LONG } : { [head]: { [leaf]: TOO_LONG } }) as SimulatorOptions;
    await expect(startSimulator(options)).rejects.toMatchObject({ code: 'KWP_CONFIG', option: path });
  });
});

describe('maxPayload above 2^31-1 is rejected (ws would drop or shrink the limit)', () => {
  it.each([2 ** 31, 2 ** 32, 2 ** 32 + 1000])('client maxPayload %d', (maxPayload) => {
    expect(configErrorOf(() => createKalshiClient({ url: dial.url, signer, maxPayload })).option).toBe('maxPayload');
  });

  it('2^31-1 is still accepted', () => {
    expect(() => createKalshiClient({ url: dial.url, signer, maxPayload: 2 ** 31 - 1 })).not.toThrow();
  });

  it('simulator limits.maxPayload', async () => {
    await expect(startSimulator({ limits: { maxPayload: 2 ** 32 } })).rejects.toMatchObject({ option: 'limits.maxPayload' });
  });
});

describe('unknown keys are rejected at every level with the nearest valid name', () => {
  it('plain-JS layout: { orderbooks: 4 } no longer becomes the 150-connection default', () => {
    const error = configErrorOf(manager({ layout: { orderbooks: 4 } }));
    expect(error.option).toBe('layout.orderbooks');
    expect(error.message).toContain("did you mean 'layout.orderbook'?");
  });

  it("reconect: {...} suggests 'reconnect'", () => {
    const error = configErrorOf(manager({ reconect: { maxAttempts: 3 } }));
    expect(error.option).toBe('reconect');
    expect(error.message).toContain("unknown option 'reconect'; did you mean 'reconnect'?");
  });

  it('nested manager objects and client options', () => {
    expect(configErrorOf(manager({ queue: { capacty: 10 } })).message).toContain("did you mean 'queue.capacity'?");
    expect(configErrorOf(manager({ healthCheck: { interval: 10 } })).option).toBe('healthCheck.interval');
    expect(configErrorOf(manager({ client: { dialTimeout: 10 } })).message).toContain("did you mean 'client.dialTimeoutMs'?");
    // Nothing close: the valid names are listed instead.
    expect(configErrorOf(manager({ zzzzzzzz: 1 })).message).toContain("valid options are 'layout'");
  });

  it('client, REST registry, simulator and metrics', async () => {
    const client = configErrorOf(() => createKalshiClient({ url: dial.url, signer, staleAfter: 5 } as unknown as KalshiClientOptions));
    expect(client.message).toContain("did you mean 'staleAfterMs'?");
    const rest = configErrorOf(() =>
      createKalshiRestRegistry({ baseUrl: 'https://example.test/trade-api/v2', signer, filter: { seriesPrefix: ['KX'] } } as unknown as KalshiRestRegistryOptions),
    );
    expect(rest.message).toContain("did you mean 'filter.seriesPrefixes'?");
    await expect(startSimulator({ trafic: {} } as unknown as SimulatorOptions)).rejects.toMatchObject({ option: 'trafic' });
    await expect(startSimulator({ limits: { maxPayloads: 5 } } as unknown as SimulatorOptions)).rejects.toMatchObject({ option: 'limits.maxPayloads' });
    const source = { stats: vi.fn(), health: vi.fn(), connectionStats: vi.fn(), on: vi.fn(), off: vi.fn() };
    const metrics = configErrorOf(() => registerPrometheusMetrics(source as never, { registry: new Registry(), prefx: 'x_' } as never));
    expect(metrics.message).toContain("did you mean 'prefix'?");
  });
});

describe('a ConfigError from building a client is never retried', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('with minHealthyConnections: 0 the slot gives up once (fatal) instead of redialing forever', async () => {
    let built = 0;
    const pool = createConnectionManager({
      clientFactory: () => {
        built++;
        throw new ConfigError('closeTimeoutMs', 'must be a number > 0, got 0');
      },
      registry,
      layout: { ticker: 1, trade: 0, lifecycle: 0, orderbook: 0 },
      minHealthyConnections: 0,
      admission: { dialsPerSecond: 10_000, burst: 1_000, jitterMs: 0 },
      reconnect: { initialDelayMs: 1, maxDelayMs: 2, randomize: false },
      closeTimeoutMs: 100,
    });
    stop = () => pool.stop();
    const fatal: unknown[] = [];
    pool.on('error', ({ error, fatal: isFatal }) => {
      if (isFatal) fatal.push(error);
    });
    await pool.start();
    await vi.waitFor(() => expect(fatal).toHaveLength(1), { timeout: 2_000 });
    expect(fatal[0]).toBeInstanceOf(ConfigError);
    expect(built).toBe(1);
    expect(pool.health().connections[0]?.state).toBe('failed');
  });
});
