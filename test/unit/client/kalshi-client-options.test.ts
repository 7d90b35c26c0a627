import { describe, expect, it } from 'vitest';
import { ConfigError, createKalshiClient, kalshiClientDefaults } from 'kalshi-ws-pool';
import type { KalshiClientOptions } from 'kalshi-ws-pool';
import { isLoopbackHost, resolveKalshiClientOptions } from '../../../src/client/kalshi-client-options';
import { stubSigner } from './mock-kalshi';

const base: KalshiClientOptions = { url: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2', signer: stubSigner() };

function configError(options: Partial<KalshiClientOptions>): ConfigError {
  try {
    resolveKalshiClientOptions({ ...base, ...options } as KalshiClientOptions);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('kalshi client options', () => {
  it('exports frozen defaults matching the design', () => {
    expect(Object.isFrozen(kalshiClientDefaults)).toBe(true);
    expect(kalshiClientDefaults).toEqual({
      dialTimeoutMs: 10_000,
      commandTimeoutMs: 5_000,
      staleAfterMs: 30_000,
      pingIntervalMs: 0,
      closeTimeoutMs: 10_000,
      maxPayload: 4 * 1024 * 1024,
      perMessageDeflate: false,
      skipUTF8Validation: false,
      transport: 'ws',
      allowInsecureTransport: false,
    });
    const resolved = resolveKalshiClientOptions(base);
    expect(resolved.commandTimeoutMs).toBe(5_000);
    expect(resolved.host).toBe('external-api-ws.kalshi.com');
  });

  it.each([
    ['commandTimeoutMs', 0],
    ['commandTimeoutMs', -1],
    ['dialTimeoutMs', Number.NaN],
    ['staleAfterMs', Infinity],
    ['closeTimeoutMs', 2 ** 31],
    ['pingIntervalMs', -5],
    ['maxPayload', 1.5],
    ['connectionId', -1],
    ['perMessageDeflate', 'yes'],
    ['skipUTF8Validation', 1],
    ['transport', 'tcp'],
    ['transport', true],
  ] as const)('rejects %s = %s naming the option', (option, value) => {
    const error = configError({ [option]: value });
    expect(error.option).toBe(option);
    expect(error.message).toContain(option);
    expect(error.code).toBe('KWP_CONFIG');
  });

  it("accepts transport 'ws' and 'native', and refuses 'native' with a WebSocket constructor or perMessageDeflate (#13)", () => {
    expect(resolveKalshiClientOptions(base).transport).toBe('ws');
    expect(resolveKalshiClientOptions({ ...base, transport: 'native' }).transport).toBe('native');
    expect(resolveKalshiClientOptions({ ...base, transport: 'ws', perMessageDeflate: true }).transport).toBe('ws');
    class Ctor {
      constructor(readonly url: string) {}
    }
    const withCtor = configError({ transport: 'native', WebSocket: Ctor });
    expect(withCtor.option).toBe('transport');
    expect(withCtor.message).toMatch(/WebSocket constructor/);
    const withDeflate = configError({ transport: 'native', perMessageDeflate: true });
    expect(withDeflate.option).toBe('transport');
    expect(withDeflate.message).toMatch(/compression/);
  });

  it('allows pingIntervalMs 0 (off)', () => {
    expect(resolveKalshiClientOptions({ ...base, pingIntervalMs: 0 }).pingIntervalMs).toBe(0);
  });

  it('rejects a missing signer and a non-WebSocket URL', () => {
    expect(configError({ signer: undefined } as unknown as Partial<KalshiClientOptions>).option).toBe('signer');
    expect(configError({ url: 'https://example.com' }).option).toBe('url');
    expect(configError({ url: 'not a url' }).option).toBe('url');
  });

  it('allows ws:// only for loopback hosts unless allowInsecureTransport', () => {
    for (const url of ['ws://127.0.0.1:1234/x', 'ws://localhost/x', 'ws://[::1]:80/x', 'ws://127.10.0.3/x']) {
      expect(resolveKalshiClientOptions({ ...base, url }).url).toBe(new URL(url).href);
    }
    const error = configError({ url: 'ws://demo-api.kalshi.co/trade-api/ws/v2' });
    expect(error.option).toBe('url');
    expect(error.message).toMatch(/loopback/);
    expect(configError({ url: 'ws://128.0.0.1/x' }).option).toBe('url');
    expect(resolveKalshiClientOptions({ ...base, url: 'ws://10.0.0.2/x', allowInsecureTransport: true }).url).toBe(
      'ws://10.0.0.2/x',
    );
    expect(isLoopbackHost('localhost.evil.com')).toBe(false);
  });

  it('createKalshiClient throws ConfigError at once', () => {
    expect(() => createKalshiClient({ ...base, commandTimeoutMs: 0 })).toThrow(ConfigError);
  });
});
