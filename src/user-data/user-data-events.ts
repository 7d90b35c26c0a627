/**
 * Events of the user-data manager: typed payload objects carrying the opaque account id, never key material.
 * @packageDocumentation
 */
import type { CloseKind } from '../client/client';

/** Why an account was deactivated. */
export type DeactivationReason =
  /** HTTP 401 at the handshake: key unknown, revoked, bad signature or skewed clock. */
  | 'unauthorized'
  /** HTTP 403 at the handshake. */
  | 'forbidden'
  /** `reconnect.maxAttempts` dials failed in a row. */
  | 'max-attempts';

/** Why an account's connection was redialled (label of the reconnect metric). */
export type ReconnectReason = CloseKind | 'dial-failed';

/** An account's connection completed its handshake and subscribed. */
export interface AccountConnectedEvent {
  /** Opaque account id. */
  readonly accountId: string;
  /** Connection generation of this account, from 1. */
  readonly generation: number;
}

/** An account's open connection ended (not emitted by `stop()` or removal). */
export interface AccountDisconnectedEvent {
  /** Opaque account id. */
  readonly accountId: string;
  /** How it ended. */
  readonly kind: CloseKind;
  /** WebSocket close code, when any. */
  readonly code: number | undefined;
}

/** An account waits `delayMs`, then dials again. */
export interface AccountReconnectingEvent {
  /** Opaque account id. */
  readonly accountId: string;
  /** Consecutive failed dials so far. */
  readonly attempt: number;
  /** Wait before the next dial, ms. */
  readonly delayMs: number;
  /** The failure behind it, if any. */
  readonly error: Error | undefined;
}

/** An account's credentials were refused (or its circuit breaker tripped): no more dials until re-keyed. */
export interface AccountDeactivatedEvent {
  /** Opaque account id: tell its owner. */
  readonly accountId: string;
  /** Why. */
  readonly reason: DeactivationReason;
  /** HTTP status at the handshake, when any. */
  readonly status: number | undefined;
  /** The error (message free of key material). */
  readonly error: Error;
}

/** A deactivated account got new credentials from the source and is dialling again. */
export interface AccountReactivatedEvent {
  /** Opaque account id. */
  readonly accountId: string;
}

/** Outcome of one reconciliation against the account source. */
export type ReconcileStatus = 'ok' | 'failed';

/** One reconciliation (hot reload) finished. */
export interface ReconcileEvent {
  /** `failed` when the source threw; nothing changed then. */
  readonly status: ReconcileStatus;
  /** Accounts connected by it. */
  readonly added: number;
  /** Accounts closed by it. */
  readonly removed: number;
  /** Accounts whose signer changed (redialled or reactivated). */
  readonly rekeyed: number;
  /** Why it failed. */
  readonly error: Error | undefined;
}

/** One REST backfill after a (re)connect finished. */
export interface BackfillEvent {
  /** Opaque account id. */
  readonly accountId: string;
  /** `failed`: a REST request failed; it is retried from the same point after `retryInMs` (or on the next connect). */
  readonly status: 'ok' | 'failed';
  /** Missed fills delivered (after deduplication). */
  readonly fills: number;
  /** Pages read. */
  readonly pages: number;
  /** Why it failed. */
  readonly error: Error | undefined;
  /** `failed`: wait before the retry (the reconnect backoff; at least the server's `Retry-After`). */
  readonly retryInMs: number | undefined;
}

/** One account's health checks failed `failuresBeforeDegraded` times in a row, or passed again. */
export interface AccountDegradedEvent {
  /** Opaque account id. */
  readonly accountId: string;
  /** `false`: degraded now; `true`: the all-clear. */
  readonly healthy: boolean;
  /** The (last) failed check's reason. */
  readonly reason: 'disconnected' | 'silent' | 'unsubscribed' | 'out-of-sync' | undefined;
  /** Consecutive failed checks (0 in the all-clear). */
  readonly consecutiveFailures: number;
}

/** A background failure (never thrown from a socket callback). */
export interface UserDataErrorEvent {
  /** The account concerned, if any. */
  readonly accountId: string | undefined;
  /** What failed. */
  readonly error: Error;
}

/**
 * Events of a user-data manager.
 * @example
 * manager.on('deactivated', ({ accountId, reason }) => notifyOwner(accountId, reason));
 */
export interface UserDataManagerEvents {
  /** An account connected and subscribed (start, reconnect, re-key). */
  connected: (event: AccountConnectedEvent) => void;
  /** An account's connection ended unexpectedly. */
  disconnected: (event: AccountDisconnectedEvent) => void;
  /** An account waits, then dials again. */
  reconnecting: (event: AccountReconnectingEvent) => void;
  /** Credentials refused: the account stopped dialling. */
  deactivated: (event: AccountDeactivatedEvent) => void;
  /** New credentials: the account dials again. */
  reactivated: (event: AccountReactivatedEvent) => void;
  /** A reconciliation against the source finished. */
  reconcile: (event: ReconcileEvent) => void;
  /** A fill backfill finished. */
  backfill: (event: BackfillEvent) => void;
  /** An account became degraded, or recovered. */
  degraded: (event: AccountDegradedEvent) => void;
  /** A background failure. */
  error: (event: UserDataErrorEvent) => void;
}
