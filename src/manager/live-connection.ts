/**
 * The small view of a slot that its command loops (book sync, repair) need.
 * @internal
 */
import { ClosedError } from '../errors';
import type { SlotBook } from './slot-book';
import type { SnapshotWatch } from './snapshot-watch';
import type { CommandClient } from './timed-commands';

/** The slot's open connection of one generation. @internal */
export interface LiveConnection {
  /** The generation's client, commands only (timed and reported as `command` events). */
  readonly client: CommandClient;
  readonly generation: number;
  /** Aborted when this generation ends (close, stop). */
  readonly signal: AbortSignal;
}

/** What `BookSync` and `SidRepair` see of an orderbook slot. @internal */
export interface OrderbookHost {
  readonly connectionId: number;
  readonly book: SlotBook;
  /** Snapshots expected after acknowledged adds (silent-subscription check). */
  readonly snapshots: SnapshotWatch;
  /** The open connection, `undefined` while down. */
  live(): LiveConnection | undefined;
  /** Whether `generation` is still the open one. */
  isLive(generation: number): boolean;
  /**
   * A subscribe reply gave `sid`. @returns false when the sid was lost already (error 10/25 handled before
   * the reply settled, when the book did not know the sid yet); true otherwise (deferred gap repairs run).
   */
  adopted(sid: number): boolean;
  /** Error 10/25 (or 7) on `sid`: drop it and subscribe the slot's markets again. */
  resubscribe(sid: number, kalshiCode: number | undefined): void;
  /** End `generation`'s connection (the server stopped answering): the slot reconnects and re-adds its markets. */
  recycle(generation: number): void;
}

/** True for an abort or close: the generation ended, nothing to report. @internal */
export function isEndOfGeneration(error: unknown, generation: number, host: Pick<OrderbookHost, 'isLive'>): boolean {
  return !host.isLive(generation) || error instanceof ClosedError || (error instanceof Error && error.name === 'AbortError');
}
