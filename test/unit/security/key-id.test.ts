import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError, createKalshiSigner } from 'kalshi-ws-pool';
import { describe, expect, it } from 'vitest';

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

function configError(keyId: string): ConfigError {
  try {
    createKalshiSigner({ keyId, privateKey });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`keyId ${JSON.stringify(keyId)} was accepted`);
}

describe('regression: the key id is validated when the signer is created (#19)', () => {
  it.each([
    ['a newline', 'SECRETID-1\nX-Injected: yes'],
    ['a carriage return', 'SECRETID-2\r'],
    ['an ANSI escape', 'SECRETID-3\u001b[31m'],
    ['a space', 'SECRETID 4'],
    ['non-ASCII', 'SECRETID-5-é'],
    ['a NUL', 'SECRETID-6\u0000'],
    ['over 128 characters', `SECRETID-7-${'a'.repeat(130)}`],
  ])('rejects a key id with %s, without echoing it', (_label, keyId) => {
    const error = configError(keyId);
    expect(error.code).toBe('KWP_CONFIG');
    expect(error.option).toBe('keyId');
    const text = `${error.message}\n${error.stack ?? ''}\n${inspect(error, { showHidden: true, depth: Infinity })}`;
    expect(text).not.toContain('SECRETID');
  });

  it('accepts Kalshi UUID key ids and other visible ASCII ids', async () => {
    const uuid = 'fa6e1d2c-3b4a-4c5d-8e9f-0123456789ab';
    const headers = await createKalshiSigner({ keyId: uuid, privateKey }).headers('GET', '/trade-api/ws/v2');
    expect(headers['KALSHI-ACCESS-KEY']).toBe(uuid);
    expect(() => createKalshiSigner({ keyId: 'FAKE-KEY-ID_9.x', privateKey })).not.toThrow();
  });

  it('a custom signer gets the same check', () => {
    expect(() => createKalshiSigner({ keyId: 'bad\nid', sign: () => Promise.resolve('c2ln') })).toThrow(ConfigError);
  });
});
