/** The three handshake headers Kalshi requires on every connection and REST request. */
export interface KalshiAuthHeaders {
  /** The API key id (a UUID). */
  readonly 'KALSHI-ACCESS-KEY': string;
  /** Unix time in milliseconds, as signed. */
  readonly 'KALSHI-ACCESS-TIMESTAMP': string;
  /** Base64 RSA-PSS signature of `timestamp + METHOD + path`. */
  readonly 'KALSHI-ACCESS-SIGNATURE': string;
}

/**
 * Produces fresh auth headers. The signed string is `timestamp + METHOD + path` (path without query),
 * RSA-PSS SHA-256 with a 32-byte salt. Implementations never expose key material through
 * `toString`, `util.inspect` or JSON.
 */
export interface KalshiSigner {
  /** Sign `method` + `path` now and return the three headers. */
  headers(method: string, path: string, signal?: AbortSignal): Promise<KalshiAuthHeaders>;
}

/** Path signed for the market-data WebSocket. */
export const WS_SIGN_PATH = '/trade-api/ws/v2';
