import type { Clock, TimerHandle } from '../ports/clock';

/** What the watchdog needs from its connection (a tiny interface, not the client). */
export interface LivenessTarget {
  /** `clock.now()` of the last inbound frame, ping or pong. */
  lastActivityAt(): number;
  /** Called once when the silence exceeded `staleAfterMs`; the watchdog has already stopped. */
  onStale(silentForMs: number): void;
  /** Send a client ping; called every `pingIntervalMs` when that is > 0. */
  sendPing(): void;
}

/** Options of {@link Liveness}. */
export interface LivenessOptions {
  readonly clock: Clock;
  readonly staleAfterMs: number;
  /** 0 turns client pings off. */
  readonly pingIntervalMs: number;
}

/**
 * Stale-link watchdog. Frames only store a timestamp (no timer reset per frame); one timer checks
 * the silence every `staleAfterMs / 4`, so a dead link is noticed between 1x and 1.25x `staleAfterMs`.
 * Optional client pings run on a second timer.
 */
export class Liveness {
  private checkTimer: TimerHandle | undefined;
  private pingTimer: TimerHandle | undefined;
  private running = false;
  private readonly checkEveryMs: number;
  // Bound once so re-arming a timer allocates no closure.
  private readonly onCheck = (): void => this.check();
  private readonly onPing = (): void => this.ping();

  constructor(
    private readonly options: LivenessOptions,
    private readonly target: LivenessTarget,
  ) {
    this.checkEveryMs = Math.max(1, Math.floor(options.staleAfterMs / 4));
  }

  /** Start watching. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.checkTimer = this.options.clock.setTimeout(this.onCheck, this.checkEveryMs);
    if (this.options.pingIntervalMs > 0) {
      this.pingTimer = this.options.clock.setTimeout(this.onPing, this.options.pingIntervalMs);
    }
  }

  /** Stop and clear every timer. Idempotent. */
  stop(): void {
    this.running = false;
    if (this.checkTimer !== undefined) this.options.clock.clearTimeout(this.checkTimer);
    if (this.pingTimer !== undefined) this.options.clock.clearTimeout(this.pingTimer);
    this.checkTimer = undefined;
    this.pingTimer = undefined;
  }

  /** Whether any timer is armed (for leak checks). */
  get active(): boolean {
    return this.checkTimer !== undefined || this.pingTimer !== undefined;
  }

  private check(): void {
    this.checkTimer = undefined;
    if (!this.running) return;
    const silentForMs = this.options.clock.now() - this.target.lastActivityAt();
    if (silentForMs >= this.options.staleAfterMs) {
      this.stop();
      this.target.onStale(silentForMs);
      return;
    }
    this.checkTimer = this.options.clock.setTimeout(this.onCheck, this.checkEveryMs);
  }

  private ping(): void {
    this.pingTimer = undefined;
    if (!this.running) return;
    this.target.sendPing();
    if (this.running) this.pingTimer = this.options.clock.setTimeout(this.onPing, this.options.pingIntervalMs);
  }
}
