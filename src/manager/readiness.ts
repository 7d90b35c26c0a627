/**
 * `manager.ready()`: wait until the pool streams everything it was asked for. `start()` resolves once
 * enough connections are up and the registry's markets are *placed*; subscribing them and receiving one
 * snapshot per market follows in the background (docs/lifecycle.md "Ready"). Readiness is checked by a
 * short poll on the pool's clock rather than hooks on the frame path, so waiting costs the hot path nothing.
 * @internal
 */
import { ClosedError, ConfigError, NotReadyError } from '../errors';
import type { NotReadyReason } from '../errors';
import type { Clock, TimerHandle } from '../ports/clock';
import { MAX_DURATION_MS, readNumber, readOptions } from '../internal/validate';

/** Options of `manager.ready()`. */
export interface ReadyOptions {
  /** Aborting it rejects the wait with `NotReadyError` (`reason: 'aborted'`, `cause`: the signal's reason). */
  readonly signal?: AbortSignal;
  /**
   * Longest wait in ms before rejecting with `NotReadyError` (`reason: 'timeout'`); `Infinity` waits until
   * ready, stopped or aborted.
   * @default 60000
   */
  readonly timeoutMs?: number;
}

/** Defaults of {@link ReadyOptions}. */
export const readyDefaults = Object.freeze({
  /** One minute: far more than 150 connections and 30,000 markets need at the default rates. */
  timeoutMs: 60_000,
});

/** How often readiness is re-checked while waiting, in ms. */
const POLL_MS = 20;
/** Connections named in a `NotReadyError`. */
const MAX_NAMED = 20;

/** A slot as readiness sees it. @internal */
export interface ReadinessSlot {
  readonly connectionId: number;
  /** Why it is not ready yet, or `undefined` when it is. */
  notReadyReason(): string | undefined;
}

/** What the wait polls. @internal */
export interface ReadinessProbe {
  /** True once `stop()` was called. */
  readonly stopped: boolean;
  /** True once `start()` resolved (the registry's markets are placed). */
  readonly started: boolean;
  readonly slots: readonly ReadinessSlot[];
}

interface Waiting {
  readonly connectionId: number;
  readonly reason: string;
}

function waitingSlots(probe: ReadinessProbe): Waiting[] {
  const out: Waiting[] = [];
  for (const slot of probe.slots) {
    const reason = slot.notReadyReason();
    if (reason !== undefined) out.push({ connectionId: slot.connectionId, reason });
  }
  return out;
}

function describeWaiting(probe: ReadinessProbe, waiting: readonly Waiting[]): string {
  if (!probe.started) return 'start() has not completed';
  const named = waiting.slice(0, 3).map((w) => `connection ${w.connectionId}: ${w.reason}`);
  const more = waiting.length > 3 ? `, and ${waiting.length - 3} more` : '';
  return `${waiting.length} connection${waiting.length === 1 ? '' : 's'} not ready (${named.join(', ')}${more})`;
}

/**
 * Resolves once every placed orderbook market is subscribed and snapshotted and every global channel is
 * subscribed (slots that gave up are not waited for).
 * @throws {ConfigError} at once on bad options.
 * @throws {NotReadyError} (rejects) on timeout, abort or stop.
 */
export function waitUntilReady(probe: ReadinessProbe, options: ReadyOptions | undefined, clock: Clock): Promise<void> {
  const bag = readOptions(options, '', ['signal', 'timeoutMs']);
  const timeoutMs = readNumber(bag['timeoutMs'], readyDefaults.timeoutMs, 'timeoutMs', { min: 0, max: MAX_DURATION_MS, infinite: true });
  const signal = bag['signal'];
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ConfigError('signal', 'must be an AbortSignal');
  return new Promise<void>((resolve, reject) => {
    let poll: TimerHandle | undefined;
    let deadline: TimerHandle | undefined;
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(poll);
      clock.clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const fail = (reason: NotReadyReason, why: string, cause?: unknown): void => {
      const waiting = probe.started ? waitingSlots(probe) : [];
      const detail = describeWaiting(probe, waiting);
      finish(
        new NotReadyError(reason, `ready() ${why}: ${detail} (see docs/lifecycle.md)`, {
          cause,
          waitingConnections: waiting.length,
          connectionIds: waiting.slice(0, MAX_NAMED).map((w) => w.connectionId),
        }),
      );
    };
    const onAbort = (): void => fail('aborted', 'aborted', (signal as AbortSignal).reason);
    const check = (): void => {
      poll = undefined;
      if (done) return;
      if (probe.stopped) {
        fail('stopped', 'ended because the connection manager was stopped', new ClosedError('the connection manager was stopped'));
        return;
      }
      if (probe.started && waitingSlots(probe).length === 0) {
        finish();
        return;
      }
      poll = clock.setTimeout(check, POLL_MS);
    };
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== Infinity) deadline = clock.setTimeout(() => fail('timeout', `timed out after ${timeoutMs} ms`), timeoutMs);
    check();
  });
}
