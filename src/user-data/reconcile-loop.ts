/**
 * The hot reload: reads the account source every `reconcileIntervalMs` and on every change event,
 * one reconciliation at a time (a change during a run queues exactly one more run).
 * @internal
 */
import type { Clock, TimerHandle } from '../ports/clock';

/** Runs `reconcile` on a timer and on demand, never two at once. @internal */
export class ReconcileLoop {
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly reconcile: () => Promise<void>,
  ) {}

  /** Arm the periodic timer (no-op when the interval is 0). */
  start(): void {
    if (this.#stopped || this.intervalMs <= 0 || this.#timer !== undefined) return;
    this.#timer = this.clock.setTimeout(this.#onTimer, this.intervalMs);
  }

  /** Reconcile now, or once more after the run in progress. Resolves when that run ended. */
  trigger(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Clear the timer and wait for a run in progress. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      await this.reconcile();
    } while (this.#again && !this.#stopped);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#stopped) return;
    void this.trigger().finally(() => this.start());
  };
}
