import { KeyObject, constants, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { ConfigError } from '../../errors';
import type { KalshiAuthHeaders, KalshiSigner } from './auth-headers';

/** Time source of a signer; milliseconds since the epoch. */
export interface SignerClock {
  /** Current time in ms since the epoch. */
  now(): number;
}

/** Signs with an RSA private key held in this process. */
export interface KalshiKeySignerOptions {
  /** Kalshi API key id (a UUID). Never logged or shown. */
  readonly keyId: string;
  /** RSA private key: PEM text (PKCS#1 or PKCS#8) or a private `KeyObject`. Never logged or shown. */
  readonly privateKey: string | KeyObject;
  /**
   * Time source for `KALSHI-ACCESS-TIMESTAMP`.
   * @default Date
   */
  readonly clock?: SignerClock;
}

/**
 * Signs through an external signer (HSM, KMS). It must produce an RSA-PSS SHA-256 signature
 * (MGF1 SHA-256, 32-byte salt) of `message`, UTF-8 encoded.
 */
export interface KalshiCustomSignerOptions {
  /** Kalshi API key id (a UUID). Never logged or shown. */
  readonly keyId: string;
  /**
   * Signs `message`. A string result is taken as base64 already; bytes are the raw signature.
   * Should honour `signal`.
   */
  readonly sign: (message: string, signal?: AbortSignal) => Promise<string | Uint8Array>;
  /**
   * Time source for `KALSHI-ACCESS-TIMESTAMP`.
   * @default Date
   */
  readonly clock?: SignerClock;
}

/** Options of {@link createKalshiSigner}: a local key or a custom async signer. */
export type KalshiSignerOptions = KalshiKeySignerOptions | KalshiCustomSignerOptions;

const REDACTED = 'KalshiSigner { keyId: [redacted] }';
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

// Shared prototype: its methods are not own properties of a signer, so Object.keys/entries show only
// `headers`, and every textual view of a signer is the same redacted string.
const signerPrototype: object = Object.freeze({
  toString: (): string => REDACTED,
  toJSON: (): string => REDACTED,
  [inspectSymbol]: (): string => REDACTED,
  [Symbol.toStringTag]: 'KalshiSigner',
});

const pssOptions = {
  padding: constants.RSA_PKCS1_PSS_PADDING,
  saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
} as const;

/** The string Kalshi signs: `timestamp + METHOD + path`, the path without its query string. */
function signedMessage(timestamp: string, method: string, path: string): string {
  const query = path.indexOf('?');
  return timestamp + method.toUpperCase() + (query === -1 ? path : path.slice(0, query));
}

function loadPrivateKey(key: unknown): KeyObject {
  let keyObject: KeyObject;
  if (key instanceof KeyObject) {
    if (key.type !== 'private') throw new ConfigError('privateKey', 'must be a private key');
    keyObject = key;
  } else if (typeof key === 'string') {
    if (key.trim() === '') throw new ConfigError('privateKey', 'must not be empty');
    try {
      keyObject = createPrivateKey(key);
    } catch (error) {
      // OpenSSL's message names the decoder failure, never the input, so chaining it is safe.
      throw new ConfigError('privateKey', 'is not a parsable PEM private key', { cause: error });
    }
  } else {
    throw new ConfigError('privateKey', `must be a PEM string or a KeyObject, got ${typeof key}`);
  }
  const kind = keyObject.asymmetricKeyType;
  if (kind !== 'rsa' && kind !== 'rsa-pss') {
    throw new ConfigError('privateKey', `must be an RSA key, got ${kind ?? 'unknown'}`);
  }
  return keyObject;
}

// Kalshi key ids are UUIDs (36 characters); anything printable up to 128 characters is let through, so a
// future id format still works, but nothing that could break or be quoted in an HTTP header.
const KEY_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** @throws {ConfigError} when `keyId` is not 1-128 visible ASCII characters; the value is never echoed. */
function checkKeyId(keyId: unknown): asserts keyId is string {
  if (typeof keyId !== 'string' || keyId.trim() === '') throw new ConfigError('keyId', 'must be a non-empty string');
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw new ConfigError(
      'keyId',
      `must be 1-128 visible ASCII characters (Kalshi key ids are UUIDs); got ${keyId.length} characters, not shown`,
    );
  }
}

function toBase64(result: unknown): string {
  if (typeof result === 'string') {
    if (result === '') throw new ConfigError('sign', 'returned an empty signature');
    return result;
  }
  if (result instanceof Uint8Array) {
    if (result.length === 0) throw new ConfigError('sign', 'returned an empty signature');
    return Buffer.from(result.buffer, result.byteOffset, result.byteLength).toString('base64');
  }
  throw new ConfigError('sign', `must resolve to a base64 string or a Uint8Array, got ${typeof result}`);
}

/**
 * Creates a {@link KalshiSigner} that produces fresh `KALSHI-ACCESS-*` headers on every call
 * (RSA-PSS SHA-256, MGF1 SHA-256, 32-byte salt over `timestamp + METHOD + path`).
 *
 * The key id and key stay in a closure: the returned frozen object shows only `headers`, and
 * `String()`, `JSON.stringify` and `util.inspect` print `KalshiSigner { keyId: [redacted] }`.
 *
 * @throws {ConfigError} at once when `keyId` is empty or not 1-128 visible ASCII characters (a UUID, as Kalshi issues), `privateKey` is not a parsable RSA private key,
 * or neither `privateKey` nor `sign` is given (messages never contain the key id or key).
 * @example
 * const signer = createKalshiSigner({ keyId: process.env.KALSHI_KEY_ID!, privateKey: pem });
 * const headers = await signer.headers('GET', WS_SIGN_PATH);
 */
export function createKalshiSigner(options: KalshiSignerOptions): KalshiSigner {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', 'must be an object');
  }
  const { keyId, clock } = options as { keyId?: unknown; clock?: unknown };
  checkKeyId(keyId);
  const id: string = keyId;
  // Anything with a now() method is a clock, functions included: `Date`, the documented default, is one.
  if (clock !== undefined && typeof (clock as Partial<SignerClock> | null)?.now !== 'function') {
    throw new ConfigError('clock', 'must be an object with a now() method');
  }
  const time: SignerClock = (clock as SignerClock | undefined) ?? Date;
  const hasKey = 'privateKey' in options && options.privateKey !== undefined;
  const custom = 'sign' in options ? options.sign : undefined;
  if (hasKey && custom !== undefined) {
    throw new ConfigError('sign', 'give either privateKey or sign, not both');
  }

  let signMessage: (message: string, signal?: AbortSignal) => Promise<string>;
  if (hasKey) {
    const key = loadPrivateKey((options as KalshiKeySignerOptions).privateKey);
    signMessage = (message) =>
      Promise.resolve(sign('sha256', Buffer.from(message, 'utf8'), { key, ...pssOptions }).toString('base64'));
  } else if (typeof custom === 'function') {
    signMessage = async (message, signal) => toBase64(await custom(message, signal));
  } else {
    throw new ConfigError('privateKey', 'is required (or give a custom sign function)');
  }

  async function headers(method: string, path: string, signal?: AbortSignal): Promise<KalshiAuthHeaders> {
    signal?.throwIfAborted();
    if (typeof method !== 'string' || method === '') throw new ConfigError('method', 'must be a non-empty string');
    if (typeof path !== 'string' || !path.startsWith('/')) throw new ConfigError('path', 'must start with "/"');
    const timestamp = String(Math.trunc(time.now()));
    const signature = await signMessage(signedMessage(timestamp, method, path), signal);
    signal?.throwIfAborted();
    return {
      'KALSHI-ACCESS-KEY': id,
      'KALSHI-ACCESS-TIMESTAMP': timestamp,
      'KALSHI-ACCESS-SIGNATURE': signature,
    };
  }

  const signer = Object.create(signerPrototype) as { headers: KalshiSigner['headers'] };
  Object.defineProperty(signer, 'headers', { value: headers, enumerable: true });
  return Object.freeze(signer);
}

/**
 * Checks `KALSHI-ACCESS-SIGNATURE` against `KALSHI-ACCESS-TIMESTAMP + METHOD + path` (query stripped)
 * with the given public key, as Kalshi does. Used by the simulator and by tests.
 * @param publicKey PEM text (public or private key) or a `KeyObject`.
 * @returns true when the signature is valid for that method and path.
 * @throws {ConfigError} when `publicKey` cannot be parsed.
 * @example
 * verifyKalshiSignature(publicPem, await signer.headers('GET', WS_SIGN_PATH), 'GET', WS_SIGN_PATH) // true
 */
export function verifyKalshiSignature(
  publicKey: string | KeyObject,
  headers: KalshiAuthHeaders,
  method: string,
  path: string,
): boolean {
  let key: KeyObject;
  try {
    key = publicKey instanceof KeyObject && publicKey.type === 'public' ? publicKey : createPublicKey(publicKey);
  } catch (error) {
    throw new ConfigError('publicKey', 'is not a parsable public key', { cause: error });
  }
  const timestamp = headers['KALSHI-ACCESS-TIMESTAMP'];
  const signature = headers['KALSHI-ACCESS-SIGNATURE'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || signature === '') return false;
  try {
    const message = Buffer.from(signedMessage(timestamp, method, path), 'utf8');
    return verify('sha256', message, { key, ...pssOptions }, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
