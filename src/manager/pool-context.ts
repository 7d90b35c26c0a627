/**
 * What a slot needs from its pool: a small interface instead of the whole manager (style.md).
 * @internal
 */
import type { Client } from '../client/client';
import type { BackoffOptions } from '../internal/backoff';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { RawMessage } from '../raw-message';
import type { DedupeWindow } from './dedupe-window';
import type { SlotRole } from './layout';
import type { ConnectionManagerEvents } from './manager-events';
import type { ManagerCounters } from './manager-stats';
import type { ResolvedManagerOptions } from './manager-options';
import type { OutputQueue } from './output-queue';
import type { PlacementView } from './placement';
import type { RateLimiter } from './rate-limiter';

/** Emits one manager event. @internal */
export type EmitEvent = <E extends keyof ConnectionManagerEvents>(
  event: E,
  payload: Parameters<ConnectionManagerEvents[E]>[0],
) => void;

/** Pool services shared by every slot. @internal */
export interface PoolContext {
  readonly options: ResolvedManagerOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly counters: ManagerCounters;
  readonly queue: OutputQueue;
  /** Pool-wide dial limiter. */
  readonly admission: RateLimiter;
  /** Pool-wide command limiter (subscribes, updates, repairs). */
  readonly commands: RateLimiter;
  /** Read-only: every placement change goes through `MarketPlacer` (the methods below). */
  readonly placement: PlacementView;
  readonly emit: EmitEvent;
  /** True once `start()` passed its health check and until `stop()`. */
  readonly running: boolean;
  /** True once `stop()` was called. */
  readonly stopped: boolean;
  /** True while socket reads are paused for backpressure. */
  readonly paused: boolean;
  /** Grows by one each time reads pause: remember it when sending a command, compare on its timeout. */
  readonly pauseEpoch: number;
  /** True when reads are paused now or paused since `epoch` (a {@link pauseEpoch} read earlier). */
  pausedSince(epoch: number): boolean;
  /**
   * Resolves when socket reads are not paused (at once, or on resume or stop): a command sent while
   * paused cannot see its reply. Rejects with the signal's reason on abort; leaves no listener.
   */
  whenResumed(signal: AbortSignal): Promise<void>;
  /** The server rejected these markets for good: the placement owner drops them and reuses the room. */
  marketsRejected(tickers: readonly string[]): void;
  /** The dedupe window of a redundant role, if any. */
  dedupeWindow(role: SlotRole): DedupeWindow | undefined;
  /** Builds the client of one slot generation. */
  createClient(connectionId: number, generation: number): Client;
  /** Forwards a lifecycle message to the registry. */
  lifecycle(message: RawMessage): void;
  /** A slot connected or lost its connection (for the degraded check). */
  slotStateChanged(): void;
  /** Error 26: slot `connectionId` is full at the markets it holds; the placement owner moves the rest. */
  slotFull(connectionId: number, held: readonly string[], rejected: number): void;
  /** A slot gave up for good (circuit breaker): re-place its markets elsewhere. */
  retireSlot(connectionId: number): void;
}

export { abortableWait as wait, backoffDelay } from '../internal/backoff';

/**
 * Backoff of command retries (rejections, timeouts, error 27/18 holds): from
 * `min(500 ms, reconnect.initialDelayMs)`, doubling, capped at `min(30 s, reconnect.maxDelayMs)`.
 * @internal
 */
export function commandBackoff(options: Pick<ResolvedManagerOptions, 'reconnect'>): BackoffOptions {
  const r = options.reconnect;
  return { initialDelayMs: Math.min(500, r.initialDelayMs), maxDelayMs: Math.min(30_000, r.maxDelayMs), factor: 2, randomize: r.randomize };
}
