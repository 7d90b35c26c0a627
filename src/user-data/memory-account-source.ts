/**
 * In-memory {@link AccountSource}: add, re-key and remove accounts at run time.
 * @packageDocumentation
 */
import { ConfigError } from '../errors';
import type { Account, AccountChangeListener, AccountSource } from '../ports/account-source';

/** A mutable {@link AccountSource} held in memory. */
export interface MemoryAccountSource extends AccountSource {
  /** Add an account, or replace it (a new signer re-keys it). Notifies listeners. @throws {ConfigError} on a bad account. */
  set(account: Account): void;
  /** Remove an account; returns whether it was there. Notifies listeners when it was. */
  remove(id: string): boolean;
  /** Account ids held now. */
  ids(): string[];
}

function check(account: Account): void {
  if (typeof account !== 'object' || account === null) throw new ConfigError('account', 'must be an object');
  if (typeof account.id !== 'string' || account.id === '') throw new ConfigError('account.id', 'must be a non-empty string');
  if (typeof account.signer !== 'object' || account.signer === null || typeof account.signer.headers !== 'function') {
    throw new ConfigError('account.signer', `must be a KalshiSigner (account ${account.id})`);
  }
  if (account.channels !== undefined && (!Array.isArray(account.channels) || account.channels.length === 0)) {
    throw new ConfigError('account.channels', `must be a non-empty array when given (account ${account.id})`);
  }
}

/**
 * Creates an in-memory account source.
 * @throws {ConfigError} when an initial account is invalid.
 * @example
 * const source = createMemoryAccountSource([{ id: 'alice', signer }]);
 * source.set({ id: 'bob', signer: bobSigner }); // connected within one reconcile
 * source.remove('alice'); // closed
 */
export function createMemoryAccountSource(initial: Iterable<Account> = []): MemoryAccountSource {
  const accounts = new Map<string, Account>();
  const listeners = new Set<AccountChangeListener>();
  for (const account of initial) {
    check(account);
    accounts.set(account.id, account);
  }
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  return {
    accounts: () => [...accounts.values()],
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    set(account) {
      check(account);
      accounts.set(account.id, account);
      notify();
    },
    remove(id) {
      const had = accounts.delete(id);
      if (had) notify();
      return had;
    },
    ids: () => [...accounts.keys()],
  };
}
