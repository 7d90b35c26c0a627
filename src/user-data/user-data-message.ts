/**
 * One message of the user-data stream: a raw private-channel frame (or a backfilled fill, or a
 * positions snapshot) tagged with its account.
 * @packageDocumentation
 */
import { PoolMessage } from '../manager/pool-message';
import type { RawMessage } from '../raw-message';

/**
 * A {@link RawMessage} of the user-data manager. `connectionId` is the account's internal number;
 * use `accountId`. Private frames carry no `seq`, so `seqGap` is only set by local queue drops.
 */
export interface UserDataMessage extends RawMessage {
  /** Opaque id of the account the frame belongs to. */
  readonly accountId: string;
  /**
   * True for a fill recovered by the REST backfill after a (re)connect: `data` is then
   * `{"type":"fill","backfilled":true,"msg":<the REST fill object>}` (REST field names: `fill_id`,
   * `ticker`, `created_time`, ...), not the socket frame. Also true for `positions_snapshot`.
   */
  readonly backfilled: boolean;
}

/** The concrete message; same hidden-class discipline as {@link PoolMessage}. @internal */
export class AccountMessage extends PoolMessage implements UserDataMessage {
  accountId: string;
  backfilled: boolean;

  constructor(data: Uint8Array, connectionId: number, receivedAt: number, type: string, sid: number | undefined, accountId: string, backfilled: boolean) {
    super(data, connectionId, receivedAt, type, sid, undefined, false, 0);
    this.accountId = accountId;
    this.backfilled = backfilled;
  }
}
