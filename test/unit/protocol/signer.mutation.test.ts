import { constants, createSecretKey, generateKeyPairSync, sign } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, WS_SIGN_PATH, createKalshiSigner } from 'kalshi-ws-pool';
import { verifyKalshiSignature } from 'kalshi-ws-pool/protocol';
import type { KalshiAuthHeaders, KalshiSignerOptions } from 'kalshi-ws-pool';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_ID = 'fa6e1d2c-3b4a-4c5d-8e9f-0123456789ab';
const PEM_BODY = privatePem.split('\n')[5]!;
const REDACTED = 'KalshiSigner { keyId: [redacted] }';

// Plain JavaScript callers get no type checks.
const loose = <T>(value: unknown): T => value as T;

const pss = (message: string): Buffer =>
  sign('sha256', Buffer.from(message), {
    key: privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  });

/** The ConfigError `create` throws, checked to hold no secret. */
function configError(create: () => unknown): ConfigError {
  let caught: unknown;
  try {
    create();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  const text = `${error.message} ${inspect(error)}`;
  expect(text).not.toContain(KEY_ID);
  expect(text).not.toContain(PEM_BODY);
  return error;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createKalshiSigner: every textual view is the redacted string', () => {
  it('String, JSON, util.inspect and the toString tag', () => {
    const signer = createKalshiSigner({ keyId: KEY_ID, privateKey: privatePem });
    expect(`${signer}`).toBe(REDACTED);
    expect(JSON.stringify(signer)).toBe(JSON.stringify(REDACTED));
    expect(JSON.stringify({ signer })).toBe(`{"signer":${JSON.stringify(REDACTED)}}`);
    expect(inspect(signer)).toBe(REDACTED);
    expect(inspect(signer, { showHidden: true, depth: 5 })).toBe(REDACTED);
    expect(Object.prototype.toString.call(signer)).toBe('[object KalshiSigner]');
  });
});

describe('createKalshiSigner: options, with exact messages that never show a secret', () => {
  it('rejects options that are not an object', () => {
    for (const options of [null, 'key', 7]) {
      const error = configError(() => createKalshiSigner(loose(options)));
      expect(error.message).toBe('options: must be an object');
    }
  });

  it('rejects a missing or blank key id', () => {
    for (const keyId of [undefined, '', '   ', 42]) {
      expect(configError(() => createKalshiSigner(loose({ keyId, privateKey: privatePem }))).message).toBe(
        'keyId: must be a non-empty string',
      );
    }
  });

  it('accepts key ids of 1 to 128 visible ASCII characters, edges included', async () => {
    for (const keyId of ['x', '!', '~', `!${'a'.repeat(126)}~`]) {
      const headers = await createKalshiSigner({ keyId, privateKey }).headers('GET', WS_SIGN_PATH);
      expect(headers['KALSHI-ACCESS-KEY']).toBe(keyId);
    }
  });

  it('rejects key ids that could break a header, saying only their length', () => {
    const cases = ['a'.repeat(129), 'ab cd', '\tabcd', 'abcd\n', 'abcd\u007f', 'abcdé', `${KEY_ID}\r\nX-Evil: 1`];
    for (const keyId of cases) {
      const error = configError(() => createKalshiSigner({ keyId, privateKey: privatePem }));
      expect(error.option).toBe('keyId');
      expect(error.message, JSON.stringify(keyId)).toBe(
        `keyId: must be 1-128 visible ASCII characters (Kalshi key ids are UUIDs); got ${keyId.length} characters, not shown`,
      );
    }
  });

  it('rejects a clock without now()', () => {
    for (const clock of [null, 5, {}, { now: 1 }]) {
      const error = configError(() => createKalshiSigner(loose({ keyId: KEY_ID, privateKey, clock })));
      expect(error.message).toBe('clock: must be an object with a now() method');
    }
  });

  it('accepts clock: Date, the documented default (regression)', async () => {
    const before = Date.now();
    const headers = await createKalshiSigner({ keyId: KEY_ID, privateKey, clock: Date }).headers('GET', WS_SIGN_PATH);
    const timestamp = Number(headers['KALSHI-ACCESS-TIMESTAMP']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Date.now());
  });

  it('truncates a fractional clock reading to whole milliseconds', async () => {
    const headers = await createKalshiSigner({ keyId: KEY_ID, privateKey, clock: { now: () => 1_000.9 } }).headers('GET', '/x');
    expect(headers['KALSHI-ACCESS-TIMESTAMP']).toBe('1000');
  });

  it('explains each unusable private key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const cases: [unknown, string][] = [
      [publicKey, 'privateKey: must be a private key'],
      ['', 'privateKey: must not be empty'],
      [' \n ', 'privateKey: must not be empty'],
      ['not a pem', 'privateKey: is not a parsable PEM private key'],
      [42, 'privateKey: must be a PEM string or a KeyObject, got number'],
      [ec, 'privateKey: must be an RSA key, got ec'],
    ];
    for (const [key, message] of cases) {
      expect(configError(() => createKalshiSigner(loose({ keyId: KEY_ID, privateKey: key }))).message).toBe(message);
    }
  });

  it('chains the parser failure of an unparsable key', () => {
    const error = configError(() => createKalshiSigner({ keyId: KEY_ID, privateKey: 'not a pem' }));
    expect(error.cause).toBeInstanceOf(Error);
    expect(String((error.cause as Error).message)).not.toContain('not a pem');
  });

  it('signs with an RSA-PSS key', async () => {
    const pair = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const headers = await createKalshiSigner({ keyId: KEY_ID, privateKey: pair.privateKey }).headers('GET', WS_SIGN_PATH);
    expect(verifyKalshiSignature(pair.publicKey, headers, 'GET', WS_SIGN_PATH)).toBe(true);
  });

  it('wants exactly one of privateKey and sign', () => {
    const both = configError(() => createKalshiSigner(loose({ keyId: KEY_ID, privateKey, sign: async () => 'c2ln' })));
    expect(both.message).toBe('sign: give either privateKey or sign, not both');
    const none = configError(() => createKalshiSigner(loose({ keyId: KEY_ID })));
    expect(none.message).toBe('privateKey: is required (or give a custom sign function)');
    const notFunction = configError(() => createKalshiSigner(loose({ keyId: KEY_ID, sign: 'c2ln' })));
    expect(notFunction.message).toBe('privateKey: is required (or give a custom sign function)');
  });

  it('takes privateKey: undefined next to sign as "no key"', async () => {
    const options = { keyId: KEY_ID, privateKey: undefined, sign: async () => 'c2ln' };
    const headers = await createKalshiSigner(loose<KalshiSignerOptions>(options)).headers('GET', '/x');
    expect(headers['KALSHI-ACCESS-SIGNATURE']).toBe('c2ln');
  });
});

describe('signer.headers()', () => {
  const signer = createKalshiSigner({ keyId: KEY_ID, privateKey, clock: { now: () => 5 } });

  it('returns exactly the three headers', async () => {
    const headers = await signer.headers('GET', '/x');
    expect(Object.keys(headers).sort()).toEqual(['KALSHI-ACCESS-KEY', 'KALSHI-ACCESS-SIGNATURE', 'KALSHI-ACCESS-TIMESTAMP']);
  });

  it('rejects a bad method or path with a ConfigError', async () => {
    const cases: [unknown, unknown, string][] = [
      ['', '/x', 'method: must be a non-empty string'],
      [5, '/x', 'method: must be a non-empty string'],
      ['GET', 'x', 'path: must start with "/"'],
      ['GET', 'trade-api/', 'path: must start with "/"'],
      ['GET', 7, 'path: must start with "/"'],
    ];
    for (const [method, path, message] of cases) {
      const error = await rejection(signer.headers(loose(method), loose(path)));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(message);
    }
  });

  it('does not call a custom signer when the signal is already aborted', async () => {
    let calls = 0;
    const custom = createKalshiSigner({
      keyId: KEY_ID,
      sign: async () => {
        calls++;
        return 'c2ln';
      },
    });
    const controller = new AbortController();
    const reason = new Error('gone');
    controller.abort(reason);
    expect(await rejection(custom.headers('GET', '/x', controller.signal))).toBe(reason);
    expect(calls).toBe(0);
  });

  it('rejects when the signal aborts while the custom signer runs', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped mid-sign');
    const custom = createKalshiSigner({
      keyId: KEY_ID,
      sign: async () => {
        controller.abort(reason);
        return 'c2ln';
      },
    });
    expect(await rejection(custom.headers('GET', '/x', controller.signal))).toBe(reason);
  });

  it('rejects an empty or wrongly typed custom signature with a ConfigError', async () => {
    const cases: [unknown, string][] = [
      ['', 'sign: returned an empty signature'],
      [new Uint8Array(0), 'sign: returned an empty signature'],
      [42, 'sign: must resolve to a base64 string or a Uint8Array, got number'],
    ];
    for (const [result, message] of cases) {
      const custom = createKalshiSigner({ keyId: KEY_ID, sign: async () => loose<string>(result) });
      const error = await rejection(custom.headers('GET', '/x'));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(message);
    }
  });

  it('encodes only the bytes of a Uint8Array view, not its whole buffer', async () => {
    const signature = pss('5GET/x');
    const backing = new Uint8Array(signature.length + 8);
    backing.set(signature, 4);
    const custom = createKalshiSigner({ keyId: KEY_ID, clock: { now: () => 5 }, sign: async () => backing.subarray(4, 4 + signature.length) });
    const headers = await custom.headers('GET', '/x');
    expect(headers['KALSHI-ACCESS-SIGNATURE']).toBe(signature.toString('base64'));
    expect(verifyKalshiSignature(publicKey, headers, 'GET', '/x')).toBe(true);
  });
});

describe('verifyKalshiSignature', () => {
  const base: KalshiAuthHeaders = { 'KALSHI-ACCESS-KEY': KEY_ID, 'KALSHI-ACCESS-TIMESTAMP': '5', 'KALSHI-ACCESS-SIGNATURE': pss('5GET/x').toString('base64') };

  it('accepts a public KeyObject, a private KeyObject and PEM text', () => {
    expect(verifyKalshiSignature(publicKey, base, 'GET', '/x')).toBe(true);
    expect(verifyKalshiSignature(privateKey, base, 'GET', '/x')).toBe(true);
    expect(verifyKalshiSignature(privatePem, base, 'GET', '/x')).toBe(true);
  });

  it('refuses headers without a timestamp, even when the signature covers "undefined"', () => {
    const forged = { 'KALSHI-ACCESS-KEY': KEY_ID, 'KALSHI-ACCESS-SIGNATURE': pss('undefinedGET/x').toString('base64') };
    expect(verifyKalshiSignature(publicKey, loose(forged), 'GET', '/x')).toBe(false);
  });

  it('refuses a signature that is not a base64 string', () => {
    const raw = { ...base, 'KALSHI-ACCESS-SIGNATURE': pss('5GET/x') };
    expect(verifyKalshiSignature(publicKey, loose(raw), 'GET', '/x')).toBe(false);
  });

  it('answers false, without throwing, for a key of the wrong kind', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifyKalshiSignature(ec, base, 'GET', '/x')).toBe(false);
    // Node's verify() throws for an Ed25519 key with a digest: still a plain false.
    const ed = generateKeyPairSync('ed25519').publicKey;
    expect(verifyKalshiSignature(ed, base, 'GET', '/x')).toBe(false);
  });

  it('throws a ConfigError, with the cause chained, for a key that is not a public key', () => {
    let caught: unknown;
    try {
      verifyKalshiSignature(createSecretKey(Buffer.alloc(32, 1)), base, 'GET', '/x');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toBe('publicKey: is not a parsable public key');
    expect((caught as Error).cause).toBeInstanceOf(Error);
  });
});
