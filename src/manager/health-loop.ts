/**
 * The pool's periodic health loop (docs/lifecycle.md "Health and degraded", docs/sequences.md): one timer for the whole pool. Each tick checks
 * every slot (open, heard from within the interval, subscriptions confirmed and in sync) and repairs
 * "subscribed but silent" orderbook sids. A connection failing `failuresBeforeDegraded` checks in a row
 * is warned about and reported with a `degraded` event (`scope: 'connection'`); its next passing check
 * emits the all-clear (`healthy: true`). See docs/decisions/manager-health-loop.md.
 * @internal
 */
import type { TimerHandle } from '../ports/clock';
import type { SlotRole } from './layout';
import type { HealthCheckFailure } from './manager-events';
import type { SlotState } from './manager-stats';
import type { PoolContext } from './pool-context';

/** What the loop reads and writes on a slot. @internal */
export interface HealthCheckedSlot {
  readonly connectionId: number;
  readonly role: SlotRole;
  readonly state: SlotState;
  /** Consecutive failed checks (written by the loop). */
  failedChecks: number;
  /** True between the `degraded` event and its all-clear (written by the loop). */
  degraded: boolean;
  /** The last failed check's reason (written by the loop). */
  lastHealthFailure: HealthCheckFailure | undefined;
  checkHealth(now: number, intervalMs: number): HealthCheckFailure | undefined;
  repairIfSilent(now: number, silentMs: number): number | undefined;
}

/** Runs the checks on the pool clock. @internal */
export class HealthLoop {
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(
    private readonly slots: readonly HealthCheckedSlot[],
    private readonly ctx: Pick<PoolContext, 'clock' | 'logger' | 'emit' | 'options' | 'running'>,
    private readonly connectedCount: () => number,
  ) {}

  /** Schedule the first tick (no-op when `healthCheck.intervalMs` is 0, after `stop()`, or if already started). */
  start(): void {
    if (this.#stopped || this.#timer !== undefined || this.ctx.options.healthCheck.intervalMs <= 0) return;
    this.#schedule();
  }

  /** Clear the timer for good. Idempotent. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.ctx.clock.setTimeout(this.#onTimer, this.ctx.options.healthCheck.intervalMs);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#stopped) return;
    try {
      this.tick();
    } catch (error) {
      this.ctx.logger.error({ err: error }, 'health check failed unexpectedly');
    }
    if (!this.#stopped) this.#schedule();
  };

  /** One round of checks over every slot (exposed for tests). */
  tick(): void {
    if (!this.ctx.running) return;
    const { intervalMs, failuresBeforeDegraded, silentSubscriptionMs } = this.ctx.options.healthCheck;
    const now = this.ctx.clock.now();
    for (const slot of this.slots) {
      if (slot.state === 'stopped' || slot.state === 'idle') continue;
      slot.repairIfSilent(now, silentSubscriptionMs);
      const failure = slot.checkHealth(now, intervalMs);
      if (failure === undefined) {
        if (slot.degraded) this.#recovered(slot);
        slot.failedChecks = 0;
        continue;
      }
      slot.failedChecks++;
      slot.lastHealthFailure = failure;
      if (!slot.degraded && slot.failedChecks >= failuresBeforeDegraded) {
        this.#degraded(slot, failure);
      } else {
        this.ctx.logger.debug(
          { connectionId: slot.connectionId, role: slot.role, reason: failure, consecutiveFailures: slot.failedChecks },
          'health check failed',
        );
      }
    }
  }

  #degraded(slot: HealthCheckedSlot, reason: HealthCheckFailure): void {
    slot.degraded = true;
    const { connectionId, role, failedChecks } = slot;
    this.ctx.logger.warn({ connectionId, role, reason, consecutiveFailures: failedChecks }, 'connection degraded');
    this.ctx.emit('degraded', {
      scope: 'connection',
      healthy: false,
      connected: this.connectedCount(),
      required: this.ctx.options.minHealthyConnections,
      connectionId,
      role,
      reason,
      consecutiveFailures: failedChecks,
    });
  }

  #recovered(slot: HealthCheckedSlot): void {
    slot.degraded = false;
    const { connectionId, role, lastHealthFailure } = slot;
    this.ctx.logger.info({ connectionId, role, reason: lastHealthFailure }, 'connection healthy again');
    this.ctx.emit('degraded', {
      scope: 'connection',
      healthy: true,
      connected: this.connectedCount(),
      required: this.ctx.options.minHealthyConnections,
      connectionId,
      role,
      reason: lastHealthFailure,
      consecutiveFailures: 0,
    });
  }
}
