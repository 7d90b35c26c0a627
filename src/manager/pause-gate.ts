/**
 * Read-pause state of the pool for its command loops: whether socket reads are paused for
 * backpressure, a counter of pauses (so a command can tell whether a pause overlapped it), and a
 * promise that resolves when reads resume.
 * @internal
 */

/** Pause state shared by the slots' command loops. @internal */
export class PauseGate {
  #paused = false;
  #epoch = 0;
  readonly #waiters = new Set<() => void>();

  /** True while socket reads are paused. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Grows by one each time reads pause. */
  get epoch(): number {
    return this.#epoch;
  }

  /** True when reads are paused now or paused at some point since `epoch` was read. */
  pausedSince(epoch: number): boolean {
    return this.#paused || this.#epoch !== epoch;
  }

  /** Reads paused (`true`) or resumed (`false`); resuming releases every waiter. */
  set(paused: boolean): void {
    if (paused === this.#paused) return;
    this.#paused = paused;
    if (paused) this.#epoch++;
    else this.#release();
  }

  /**
   * Resolves at once when reads are not paused, else when they resume or the gate is closed.
   * @throws the signal's reason (rejection) when `signal` aborts first.
   */
  whenResumed(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (!this.#paused) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.#waiters.delete(done);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#waiters.delete(done);
        reject(signal.reason as Error);
      };
      this.#waiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The pool stopped: release every waiter (their loops then see `stopped`). */
  close(): void {
    this.#paused = false;
    this.#release();
  }

  #release(): void {
    for (const done of [...this.#waiters]) done();
  }
}
