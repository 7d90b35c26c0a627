import { constants, createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, WS_SIGN_PATH, createKalshiSigner, isKalshiWsPoolError } from 'kalshi-ws-pool';
import { verifyKalshiSignature } from 'kalshi-ws-pool/protocol';
import type { KalshiAuthHeaders } from 'kalshi-ws-pool';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const KEY_ID = 'fa6e1d2c-3b4a-4c5d-8e9f-0123456789ab';
// A distinctive slice of the PEM body that must never leak anywhere.
const PEM_BODY = privatePem.split('\n')[5]!;

function verifyRaw(headers: KalshiAuthHeaders, message: string): boolean {
  return verify(
    'sha256',
    Buffer.from(message),
    { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
    Buffer.from(headers['KALSHI-ACCESS-SIGNATURE'], 'base64'),
  );
}

function fixedClock(start: number): { now(): number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('createKalshiSigner', () => {
  it('signs timestamp + METHOD + path with RSA-PSS SHA-256 and a 32-byte salt', async () => {
    const clock = fixedClock(1_787_186_160_630);
    const signer = createKalshiSigner({ keyId: KEY_ID, privateKey: privatePem, clock });
    const headers = await signer.headers('GET', WS_SIGN_PATH);
    expect(headers['KALSHI-ACCESS-KEY']).toBe(KEY_ID);
    expect(headers['KALSHI-ACCESS-TIMESTAMP']).toBe('1787186160630');
    expect(verifyRaw(headers, `1787186160630GET${WS_SIGN_PATH}`)).toBe(true);
    expect(verifyRaw(headers, `1787186160631GET${WS_SIGN_PATH}`)).toBe(false);
    expect(verifyKalshiSignature(publicPem, headers, 'GET', WS_SIGN_PATH)).toBe(true);
    expect(verifyKalshiSignature(publicKey, headers, 'POST', WS_SIGN_PATH)).toBe(false);
  });

  it('uses a fresh timestamp and signature on every call', async () => {
    const clock = fixedClock(1_000);
    const signer = createKalshiSigner({ keyId: KEY_ID, privateKey, clock });
    const a = await signer.headers('GET', WS_SIGN_PATH);
    clock.advance(5);
    const b = await signer.headers('GET', WS_SIGN_PATH);
    expect(a['KALSHI-ACCESS-TIMESTAMP']).toBe('1000');
    expect(b['KALSHI-ACCESS-TIMESTAMP']).toBe('1005');
    expect(b['KALSHI-ACCESS-SIGNATURE']).not.toBe(a['KALSHI-ACCESS-SIGNATURE']);
    expect(verifyRaw(b, `1005GET${WS_SIGN_PATH}`)).toBe(true);
  });

  it('defaults to the wall clock', async () => {
    const before = Date.now();
    const headers = await createKalshiSigner({ keyId: KEY_ID, privateKey: privatePem }).headers('GET', '/x');
    const ts = Number(headers['KALSHI-ACCESS-TIMESTAMP']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Date.now());
  });

  it('strips the query string and upper-cases the method', async () => {
    const signer = createKalshiSigner({ keyId: KEY_ID, privateKey: privatePem, clock: fixedClock(42) });
    const headers = await signer.headers('get', '/trade-api/v2/markets?status=open&limit=1000');
    expect(verifyRaw(headers, '42GET/trade-api/v2/markets')).toBe(true);
    expect(verifyKalshiSignature(publicPem, headers, 'GET', '/trade-api/v2/markets?cursor=abc')).toBe(true);
  });

  it('accepts PKCS#1 PEM and rejects an aborted signal', async () => {
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const signer = createKalshiSigner({ keyId: KEY_ID, privateKey: pkcs1 });
    const headers = await signer.headers('GET', WS_SIGN_PATH);
    expect(verifyKalshiSignature(publicPem, headers, 'GET', WS_SIGN_PATH)).toBe(true);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(signer.headers('GET', WS_SIGN_PATH, controller.signal)).rejects.toThrow('stop');
  });

  it('uses a custom async signer returning bytes or base64', async () => {
    const seen: string[] = [];
    const key = createPrivateKey(privatePem);
    // What an HSM would do: a raw RSA-PSS signature over the message bytes.
    const rawSign = (message: string): Buffer =>
      sign('sha256', Buffer.from(message), {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
    const bytesSigner = createKalshiSigner({
      keyId: KEY_ID,
      clock: fixedClock(7),
      sign: async (message) => {
        seen.push(message);
        return new Uint8Array(rawSign(message));
      },
    });
    const h1 = await bytesSigner.headers('GET', `${WS_SIGN_PATH}?a=1`);
    expect(seen).toEqual([`7GET${WS_SIGN_PATH}`]);
    expect(verifyKalshiSignature(publicPem, h1, 'GET', WS_SIGN_PATH)).toBe(true);

    const stringSigner = createKalshiSigner({
      keyId: KEY_ID,
      clock: fixedClock(8),
      sign: async (message) => rawSign(message).toString('base64'),
    });
    const h2 = await stringSigner.headers('GET', WS_SIGN_PATH);
    expect(verifyKalshiSignature(publicPem, h2, 'GET', WS_SIGN_PATH)).toBe(true);

    const badSigner = createKalshiSigner({
      keyId: KEY_ID,
      sign: async () => 42 as unknown as string,
    });
    await expect(badSigner.headers('GET', WS_SIGN_PATH)).rejects.toBeInstanceOf(ConfigError);
  });

  it('passes the abort signal to the custom signer', async () => {
    let received: AbortSignal | undefined;
    const signer = createKalshiSigner({
      keyId: KEY_ID,
      sign: async (_message, signal) => {
        received = signal;
        return 'c2ln';
      },
    });
    const controller = new AbortController();
    const headers = await signer.headers('GET', WS_SIGN_PATH, controller.signal);
    expect(received).toBe(controller.signal);
    expect(headers['KALSHI-ACCESS-SIGNATURE']).toBe('c2ln');
  });

  it('never reveals the key id or the key', async () => {
    const signer = createKalshiSigner({ keyId: KEY_ID, privateKey: privatePem });
    const views = [
      String(signer),
      `${signer}`,
      JSON.stringify(signer),
      JSON.stringify({ signer }),
      inspect(signer, { showHidden: true, depth: 10 }),
      inspect({ nested: signer }),
      JSON.stringify(Object.entries(signer)),
      Object.keys(signer).join(','),
      Object.getOwnPropertyNames(signer).join(','),
    ];
    for (const view of views) {
      expect(view).not.toContain(KEY_ID);
      expect(view).not.toContain(PEM_BODY);
      expect(view).not.toContain('PRIVATE KEY');
    }
    expect(String(signer)).toBe('KalshiSigner { keyId: [redacted] }');
    expect(Object.keys(signer)).toEqual(['headers']);
    expect(Object.isFrozen(signer)).toBe(true);
    expect(() => {
      (signer as unknown as Record<string, unknown>)['headers'] = null;
    }).toThrow(TypeError);
    // The headers themselves of course carry the key id: that is their job.
    expect((await signer.headers('GET', '/'))['KALSHI-ACCESS-KEY']).toBe(KEY_ID);
  });

  it('validates up front with ConfigError naming the option, never echoing secrets', () => {
    const cases: [unknown, string][] = [
      [{ keyId: '', privateKey: privatePem }, 'keyId'],
      [{ keyId: '   ', privateKey: privatePem }, 'keyId'],
      [{ privateKey: privatePem }, 'keyId'],
      [{ keyId: KEY_ID, privateKey: `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}garbage\n-----END PRIVATE KEY-----\n` }, 'privateKey'],
      [{ keyId: KEY_ID, privateKey: 'not a pem' }, 'privateKey'],
      [{ keyId: KEY_ID, privateKey: '' }, 'privateKey'],
      [{ keyId: KEY_ID, privateKey: publicPem }, 'privateKey'],
      [{ keyId: KEY_ID, privateKey: publicKey }, 'privateKey'],
      [{ keyId: KEY_ID }, 'privateKey'],
      [{ keyId: KEY_ID, privateKey: privatePem, sign: async () => '' }, 'sign'],
      [{ keyId: KEY_ID, privateKey: privatePem, clock: {} }, 'clock'],
      [
        { keyId: KEY_ID, privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey },
        'privateKey',
      ],
    ];
    for (const [options, option] of cases) {
      let caught: unknown;
      try {
        createKalshiSigner(options as Parameters<typeof createKalshiSigner>[0]);
      } catch (error) {
        caught = error;
      }
      expect(caught, option).toBeInstanceOf(ConfigError);
      expect(isKalshiWsPoolError(caught, 'KWP_CONFIG')).toBe(true);
      const error = caught as ConfigError;
      expect(error.option).toBe(option);
      const text = `${error.message} ${inspect(error)} ${String((error.cause as Error | undefined)?.message)}`;
      expect(text).not.toContain(KEY_ID);
      expect(text).not.toContain(PEM_BODY);
    }
  });

  it('verifyKalshiSignature rejects tampered or missing signatures', async () => {
    const signer = createKalshiSigner({ keyId: KEY_ID, privateKey: privatePem });
    const headers = await signer.headers('GET', WS_SIGN_PATH);
    expect(verifyKalshiSignature(privatePem, headers, 'GET', WS_SIGN_PATH)).toBe(true);
    expect(verifyKalshiSignature(publicPem, { ...headers, 'KALSHI-ACCESS-SIGNATURE': '' }, 'GET', WS_SIGN_PATH)).toBe(false);
    expect(verifyKalshiSignature(publicPem, { ...headers, 'KALSHI-ACCESS-SIGNATURE': 'AAAA' }, 'GET', WS_SIGN_PATH)).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(verifyKalshiSignature(other, headers, 'GET', WS_SIGN_PATH)).toBe(false);
    expect(() => verifyKalshiSignature('nope', headers, 'GET', WS_SIGN_PATH)).toThrow(ConfigError);
  });
});
