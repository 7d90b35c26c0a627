/**
 * Thin adapter that lets the pool's own {@link Reconnector} and {@link HealthLoop} drive accounts.
 *
 * Both collaborators want the pool's `PoolContext`; they read only a few members of it. This file
 * supplies exactly those members (listed in {@link ReconnectorView} and {@link HealthLoopView}) and maps
 * their slot-scoped events and log fields (`connectionId`, `role`) to account ids. If the manager's
 * internals change which members they read, this is the one place to update.
 * @internal
 */
import type { AdmissionOptions, ReconnectOptions } from '../manager/manager-options';
import type { ConnectionManagerEvents } from '../manager/manager-events';
import { HealthLoop } from '../manager/health-loop';
import type { HealthCheckedSlot } from '../manager/health-loop';
import type { PoolContext } from '../manager/pool-context';
import { Reconnector } from '../manager/reconnect';
import type { ReconnectTarget } from '../manager/reconnect';
import type { RateLimiter } from '../manager/rate-limiter';
import type { Clock } from '../ports/clock';
import type { LogFields, Logger } from '../ports/logger';
import type { UserDataManagerEvents } from './user-data-events';
import type { UserDataCounters } from './user-data-stats';

/** What the adapter needs from the user-data manager. @internal */
export interface AdapterHost {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly counters: UserDataCounters;
  readonly admission: RateLimiter;
  readonly reconnect: Required<ReconnectOptions>;
  readonly healthCheck: { readonly intervalMs: number; readonly failuresBeforeDegraded: number };
  readonly stopped: boolean;
  readonly running: boolean;
  /** Account id of an internal connection number. */
  accountIdOf(connectionId: number): string | undefined;
  emit<E extends keyof UserDataManagerEvents>(event: E, payload: Parameters<UserDataManagerEvents[E]>[0]): void;
}

/** The members of `PoolContext` the pool's `Reconnector` reads. @internal */
type ReconnectorView = Pick<PoolContext, 'clock' | 'logger' | 'stopped' | 'emit'> & {
  readonly options: { readonly reconnect: Required<ReconnectOptions>; readonly admission?: Required<AdmissionOptions> };
  readonly counters: { reconnectsSuccess: number; reconnectsFailed: number };
  readonly admission: RateLimiter;
};

/** The members of `PoolContext` the pool's `HealthLoop` reads. @internal */
type HealthLoopView = Pick<PoolContext, 'clock' | 'logger' | 'emit' | 'running'> & {
  readonly options: { readonly healthCheck: { intervalMs: number; failuresBeforeDegraded: number; silentSubscriptionMs: number }; readonly minHealthyConnections: number };
};

/** Logs with `accountId` instead of the slot's `connectionId`/`role` (also given to each account's client). @internal */
export function accountLogger(host: AdapterHost): Logger {
  const map = (fields: LogFields): LogFields => {
    const { connectionId, role: _role, ...rest } = fields as LogFields & { connectionId?: unknown; role?: unknown };
    return typeof connectionId === 'number' ? { accountId: host.accountIdOf(connectionId), ...rest } : rest;
  };
  return {
    debug: (fields, message) => host.logger.debug(map(fields), message),
    info: (fields, message) => host.logger.info(map(fields), message),
    warn: (fields, message) => host.logger.warn(map(fields), message),
    error: (fields, message) => host.logger.error(map(fields), message),
  };
}

/** Maps the pool events the two collaborators emit to user-data events. */
function emitter(host: AdapterHost): PoolContext['emit'] {
  return ((event: keyof ConnectionManagerEvents, payload: { connectionId?: number }) => {
    const accountId = payload.connectionId === undefined ? undefined : host.accountIdOf(payload.connectionId);
    if (accountId === undefined) return;
    if (event === 'reconnecting') {
      const p = payload as Parameters<ConnectionManagerEvents['reconnecting']>[0];
      host.emit('reconnecting', { accountId, attempt: p.attempt, delayMs: p.delayMs, error: p.error });
    } else if (event === 'degraded') {
      const p = payload as Parameters<ConnectionManagerEvents['degraded']>[0];
      host.emit('degraded', { accountId, healthy: p.healthy, reason: p.reason, consecutiveFailures: p.consecutiveFailures });
    }
    // 'reconnected' is reported as 'connected' by the account itself.
  }) as PoolContext['emit'];
}

/** Builds the pool's reconnect loop for one account. @internal */
export function createAccountReconnector(target: ReconnectTarget, host: AdapterHost): Reconnector {
  const logger = accountLogger(host);
  const emit = emitter(host);
  const view: ReconnectorView = {
    get clock() {
      return host.clock;
    },
    logger,
    get stopped() {
      return host.stopped;
    },
    emit,
    options: { reconnect: host.reconnect },
    counters: host.counters,
    admission: host.admission,
  };
  // The Reconnector reads only the members of ReconnectorView (see the file comment).
  return new Reconnector(target, view as unknown as PoolContext);
}

/** Builds the pool's health loop over the accounts' slots (the array is read on every tick). @internal */
export function createAccountHealthLoop(slots: readonly HealthCheckedSlot[], host: AdapterHost, connected: () => number): HealthLoop {
  const view: HealthLoopView = {
    get clock() {
      return host.clock;
    },
    logger: accountLogger(host),
    emit: emitter(host),
    get running() {
      return host.running;
    },
    options: {
      healthCheck: { ...host.healthCheck, silentSubscriptionMs: Number.POSITIVE_INFINITY },
      minHealthyConnections: 0,
    },
  };
  return new HealthLoop(slots, view as unknown as PoolContext, connected);
}
