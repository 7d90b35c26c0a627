/**
 * Frame builders: template strings only, no JSON.stringify on the data path. `alpha` selects the
 * envelope key order (real captures show both `type,sid,seq,msg` and alphabetical `msg,seq,sid,type`).
 */
import { kalshiErrorMessage } from './kalshi-errors';

/** `,"id":N` when the command had an id (ids < 1 mean "no id"). */
function idPart(id: number | undefined): string {
  return id === undefined || id < 1 ? '' : `"id":${id},`;
}

/**
 * An envelope around a prebuilt `msg` JSON value. `seq`/`id` are left out when undefined.
 */
export function envelope(
  alpha: boolean,
  type: string,
  sid: number | undefined,
  seq: number | undefined,
  msg: string | undefined,
  id?: number,
): string {
  const sidPart = sid === undefined ? '' : `"sid":${sid},`;
  const seqPart = seq === undefined ? '' : `"seq":${seq},`;
  if (alpha) {
    const msgPart = msg === undefined ? '' : `"msg":${msg},`;
    return `{${idPart(id)}${msgPart}${seqPart}${sidPart}"type":"${type}"}`;
  }
  const msgPart = msg === undefined ? '' : `,"msg":${msg}`;
  const middle = `${idPart(id)}${sidPart}${seqPart}`;
  return `{"type":"${type}"${middle === '' ? '' : `,${middle.slice(0, -1)}`}${msgPart}}`;
}

/** `subscribed` reply: sid inside `msg`, no seq. */
export function subscribedFrame(alpha: boolean, id: number, channel: string, sid: number): string {
  return envelope(alpha, 'subscribed', undefined, undefined, `{"channel":"${channel}","sid":${sid}}`, id);
}

/** `error` frame; sid-scoped when `sid` is given (then it takes `seq` on sequenced channels). */
export function errorFrame(alpha: boolean, id: number | undefined, code: number, sid?: number, seq?: number): string {
  return envelope(alpha, 'error', sid, seq, `{"code":${code},"msg":"${kalshiErrorMessage(code)}"}`, id);
}

/** `orderbook_snapshot`: bids only, empty sides omitted, no timestamp; `id` for get_snapshot replies. */
export function snapshotFrame(alpha: boolean, sid: number, seq: number, head: string, sides: string, id?: number): string {
  return envelope(alpha, 'orderbook_snapshot', sid, seq, `${head}${sides}}`, id);
}

/** `orderbook_delta`: a signed `delta_fp` at (`side`, `price_dollars`), with ISO `ts` and `ts_ms`. */
export function deltaFrame(
  alpha: boolean,
  sid: number,
  seq: number,
  head: string,
  price: string,
  delta: string,
  side: string,
  iso: string,
  ms: number,
  pad: string,
): string {
  const msg = `${head},"price_dollars":"${price}","delta_fp":"${delta}","side":"${side}","ts":"${iso}","ts_ms":${ms}${pad}}`;
  return alpha
    ? `{"msg":${msg},"seq":${seq},"sid":${sid},"type":"orderbook_delta"}`
    : `{"type":"orderbook_delta","sid":${sid},"seq":${seq},"msg":${msg}}`;
}

/** `trade`: its own sid counter; `msg` built once per trade and shared by every trade sid. */
export function tradeFrame(alpha: boolean, sid: number, seq: number, msg: string): string {
  return alpha
    ? `{"msg":${msg},"seq":${seq},"sid":${sid},"type":"trade"}`
    : `{"type":"trade","sid":${sid},"seq":${seq},"msg":${msg}}`;
}

/** `ticker`: no seq, ever. */
export function tickerFrame(alpha: boolean, sid: number, msg: string): string {
  return alpha ? `{"msg":${msg},"sid":${sid},"type":"ticker"}` : `{"type":"ticker","sid":${sid},"msg":${msg}}`;
}

/** `market_lifecycle_v2` (sequenced). */
export function lifecycleFrame(alpha: boolean, sid: number, seq: number, msg: string): string {
  return alpha
    ? `{"msg":${msg},"seq":${seq},"sid":${sid},"type":"market_lifecycle_v2"}`
    : `{"type":"market_lifecycle_v2","sid":${sid},"seq":${seq},"msg":${msg}}`;
}
