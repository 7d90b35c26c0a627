import { KeyObject, createPublicKey, generateKeyPair, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { promisify } from 'node:util';
import { ConfigError } from '../../errors';
import type { KalshiAuthHeaders } from '../../protocol/kalshi/auth-headers';
import { verifyKalshiSignature } from '../../protocol/kalshi/signer';

/** Why a request's auth failed (never includes key material). */
export type AuthFailure = 'missing-headers' | 'key-id' | 'timestamp' | 'signature';

/** Outcome of {@link AuthVerifier.verify}. */
export type AuthResult = { readonly ok: true; readonly keyId: string } | { readonly ok: false; readonly reason: AuthFailure };

/** A generated key pair the simulator trusts, for users who brought none. */
export interface GeneratedCredentials {
  /** Key id to send as `KALSHI-ACCESS-KEY` (a UUID). */
  readonly keyId: string;
  /** PKCS#8 PEM of the private key. */
  readonly privateKeyPem: string;
  /** The matching public key. */
  readonly publicKey: KeyObject;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** Generate a 2048-bit RSA key pair and a random key id. */
export async function generateCredentials(): Promise<GeneratedCredentials> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return {
    keyId: randomUUID(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}

/** Parse trusted keys once (PEM public or private keys, or KeyObjects) into public KeyObjects. */
export function toPublicKeys(keys: readonly (string | KeyObject)[]): KeyObject[] {
  return keys.map((key, i) => {
    try {
      return key instanceof KeyObject && key.type === 'public' ? key : createPublicKey(key);
    } catch (error) {
      throw new ConfigError(`publicKeys[${i}]`, 'is not a parsable public key', { cause: error });
    }
  });
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Checks the three `KALSHI-ACCESS-*` headers the way Kalshi does: RSA-PSS SHA-256 (salt 32) over
 * `timestamp + METHOD + path` against any trusted key, a timestamp within the window, and the pinned
 * key id when one is set.
 */
export class AuthVerifier {
  constructor(
    private readonly publicKeys: readonly KeyObject[],
    private readonly keyId: string | undefined,
    private readonly windowMs: number,
  ) {}

  /** Verify a request's headers for `method` and `path` (path without query). */
  verify(headers: IncomingHttpHeaders, method: string, path: string): AuthResult {
    const key = header(headers, 'kalshi-access-key');
    const timestamp = header(headers, 'kalshi-access-timestamp');
    const signature = header(headers, 'kalshi-access-signature');
    if (key === undefined || timestamp === undefined || signature === undefined) return { ok: false, reason: 'missing-headers' };
    if (this.keyId !== undefined && key !== this.keyId) return { ok: false, reason: 'key-id' };
    if (!/^\d{1,16}$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp)) > this.windowMs) {
      return { ok: false, reason: 'timestamp' };
    }
    const signed: KalshiAuthHeaders = {
      'KALSHI-ACCESS-KEY': key,
      'KALSHI-ACCESS-TIMESTAMP': timestamp,
      'KALSHI-ACCESS-SIGNATURE': signature,
    };
    for (const publicKey of this.publicKeys) {
      if (verifyKalshiSignature(publicKey, signed, method, path)) return { ok: true, keyId: key };
    }
    return { ok: false, reason: 'signature' };
  }
}
