import type { KalshiSigner } from '../protocol/kalshi/auth-headers';

/**
 * One trading account the user-data manager streams for: an opaque id and the signer of its API key.
 * The id appears in events, logs and metric labels; it must not be (or contain) the API key id.
 */
export interface Account {
  /** Opaque account id, unique within the source (e.g. your own customer id). */
  readonly id: string;
  /** Signs this account's handshakes and REST requests. A different signer object means re-keyed. */
  readonly signer: KalshiSigner;
  /** Private channels for this account; the manager's `channels` option when omitted. */
  readonly channels?: readonly string[];
}

/** Called when the source's accounts changed (added, removed or re-keyed); the manager reconciles. */
export type AccountChangeListener = () => void;

/**
 * The `AccountSource` port: where the user-data manager learns which accounts to stream. The manager
 * reads `accounts()` at start, on every change event and every `reconcileIntervalMs` (hot reload).
 */
export interface AccountSource {
  /** The accounts to stream now. */
  accounts(signal?: AbortSignal): Iterable<Account> | Promise<Iterable<Account>>;
  /** Optional: listen for changes; returns a function that stops listening. */
  onChange?(listener: AccountChangeListener): () => void;
}
