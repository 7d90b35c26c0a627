import { CommandRejectedError } from '../../errors';
import type { RejectionClass } from '../../errors';
import type { EnvelopeScan } from './envelope';
import { classifyKalshiError } from './error-codes';

/** Reply ids: `undefined` when the frame has none, or `id: 0` ("no id" in Kalshi's protocol). */
type ReplyId = number | undefined;

/** `subscribed`: one per channel of a subscribe, all with the subscribe's id. */
export interface SubscribedReply {
  /** Discriminant. */
  readonly kind: 'subscribed';
  /** The subscribe command's id. */
  readonly id: ReplyId;
  /** The new subscription id (from `msg.sid`). */
  readonly sid: number;
  /** Its channel (from `msg.channel`). */
  readonly channel: string;
}

/** `ok` with a top-level sid: answer to `update_subscription` (takes a seq on the sid). */
export interface UpdatedReply {
  /** Discriminant. */
  readonly kind: 'updated';
  /** The command's id. */
  readonly id: ReplyId;
  /** The updated subscription. */
  readonly sid: number;
  /** The seq this reply took on the sid, when present. */
  readonly seq: number | undefined;
  /** The sid's full market list after the update, when the server sent it. */
  readonly marketTickers: readonly string[] | undefined;
}

/** One subscription of a {@link ListReply}. */
export interface ListedSubscription {
  /** Subscription id. */
  readonly sid: number;
  /** Its channel. */
  readonly channel: string;
}

/** `ok` whose msg is the subscription list (`msg: [...]` or `msg.subscriptions: [...]`). */
export interface ListReply {
  /** Discriminant. */
  readonly kind: 'list';
  /** The `list_subscriptions` command's id. */
  readonly id: ReplyId;
  /** The connection's subscriptions. */
  readonly subscriptions: readonly ListedSubscription[];
}

/** Any other `ok` (e.g. a subscribe merged into an existing subscription). */
export interface OkReply {
  /** Discriminant. */
  readonly kind: 'ok';
  /** The command's id. */
  readonly id: ReplyId;
}

/** `unsubscribed`: `id` and `seq` may be absent. */
export interface UnsubscribedReply {
  /** Discriminant. */
  readonly kind: 'unsubscribed';
  /** The unsubscribe command's id, when present. */
  readonly id: ReplyId;
  /** The sid that ended, when present. */
  readonly sid: number | undefined;
  /** The seq this reply took on the sid, when present. */
  readonly seq: number | undefined;
}

/** `error`: answer to a command (with id) or sid-scoped (with sid + seq, maybe without id). */
export interface ErrorReply {
  /** Discriminant. */
  readonly kind: 'error';
  /** The command it answers; `undefined` for sid-scoped errors sent without one. */
  readonly id: ReplyId;
  /** The subscription concerned, for sid-scoped errors. */
  readonly sid: number | undefined;
  /** The seq a sid-scoped error took on the sid. */
  readonly seq: number | undefined;
  /** Kalshi's code (`msg.code`), 0 when missing. */
  readonly code: number;
  /** Kalshi's text (`msg.msg`), empty when missing. */
  readonly message: string;
  /** What the code means for the pool ({@link classifyKalshiError}). */
  readonly classification: RejectionClass;
}

/** A control frame whose `msg` could not be read. */
export interface MalformedReply {
  /** Discriminant. */
  readonly kind: 'malformed';
  /** The command's id, when the envelope had one. */
  readonly id: ReplyId;
  /** What was wrong, e.g. `subscribed without a numeric msg.sid`. */
  readonly reason: string;
}

/** Every control reply, discriminated by `kind`. */
export type Reply =
  | SubscribedReply
  | UpdatedReply
  | ListReply
  | OkReply
  | UnsubscribedReply
  | ErrorReply
  | MalformedReply;

const decoder = new TextDecoder();
const UNREADABLE = Symbol('unreadable');

/** Parses the msg slice; `undefined` when absent, {@link UNREADABLE} when not JSON. */
function readMsg(bytes: Uint8Array, scan: EnvelopeScan): unknown {
  if (scan.msgStart < 0) return undefined;
  try {
    return JSON.parse(decoder.decode(bytes.subarray(scan.msgStart, scan.msgEnd))) as unknown;
  } catch {
    return UNREADABLE;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

function readSubscriptions(list: readonly unknown[]): ListedSubscription[] | undefined {
  const out: ListedSubscription[] = [];
  for (const item of list) {
    if (!isRecord(item) || !isSid(item['sid']) || typeof item['channel'] !== 'string') return undefined;
    out.push(Object.freeze({ sid: item['sid'], channel: item['channel'] }));
  }
  return out;
}

function classifyOk(id: ReplyId, scan: EnvelopeScan, msg: unknown): Reply {
  if (scan.sid !== undefined) {
    const tickers = isRecord(msg) ? msg['market_tickers'] : undefined;
    const marketTickers =
      Array.isArray(tickers) && tickers.every((t) => typeof t === 'string') ? Object.freeze(tickers as string[]) : undefined;
    return { kind: 'updated', id, sid: scan.sid, seq: scan.seq, marketTickers };
  }
  const list = Array.isArray(msg) ? msg : isRecord(msg) && Array.isArray(msg['subscriptions']) ? msg['subscriptions'] : undefined;
  if (list === undefined) return { kind: 'ok', id };
  const subscriptions = readSubscriptions(list as unknown[]);
  if (subscriptions === undefined) {
    return { kind: 'malformed', id, reason: 'subscription list entry without a numeric sid and a channel' };
  }
  return { kind: 'list', id, subscriptions: Object.freeze(subscriptions) };
}

function classifyError(id: ReplyId, scan: EnvelopeScan, msg: unknown): ErrorReply {
  const rawCode = isRecord(msg) ? msg['code'] : undefined;
  const code = typeof rawCode === 'number' && Number.isInteger(rawCode) ? rawCode : 0;
  const rawText = isRecord(msg) ? msg['msg'] : undefined;
  return {
    kind: 'error',
    id,
    sid: scan.sid,
    seq: scan.seq,
    code,
    message: typeof rawText === 'string' ? rawText : '',
    classification: classifyKalshiError(code),
  };
}

/**
 * Reads a control reply (`subscribed`, `ok`, `error`, `unsubscribed`) from a scanned frame.
 * Returns `undefined` for data frames, so it is cheap to call on every frame; only control frames
 * pay for a `JSON.parse` of their (small) `msg`. An `id` of 0 ("no id") is reported as `undefined`.
 *
 * @param bytes The frame.
 * @param scan Its envelope (`scanEnvelope(bytes)`); a failed scan yields `undefined`.
 * @example
 * const reply = classifyReply(frame, scanEnvelope(frame, scan));
 * if (reply?.kind === 'error') pending.reject(reply.id, toRejectedError(reply, { command: 'subscribe' }));
 */
export function classifyReply(bytes: Uint8Array, scan: EnvelopeScan): Reply | undefined {
  if (!scan.ok) return undefined;
  const type = scan.type;
  if (type !== 'subscribed' && type !== 'ok' && type !== 'error' && type !== 'unsubscribed') return undefined;
  const id = scan.id === undefined || scan.id === 0 ? undefined : scan.id;
  if (type === 'unsubscribed') return { kind: 'unsubscribed', id, sid: scan.sid, seq: scan.seq };

  const msg = readMsg(bytes, scan);
  if (msg === UNREADABLE) return { kind: 'malformed', id, reason: `${type} reply whose msg is not valid JSON` };
  if (type === 'error') return classifyError(id, scan, msg);
  if (type === 'ok') return classifyOk(id, scan, msg);
  if (!isRecord(msg) || !isSid(msg['sid'])) {
    return { kind: 'malformed', id, reason: 'subscribed reply without a numeric msg.sid' };
  }
  if (typeof msg['channel'] !== 'string') {
    return { kind: 'malformed', id, reason: 'subscribed reply without a msg.channel' };
  }
  return { kind: 'subscribed', id, sid: msg['sid'], channel: msg['channel'] };
}

/** Longest server text copied into an error message. */
const MAX_SERVER_TEXT = 200;

/**
 * Turns an error reply into the {@link CommandRejectedError} the caller sees.
 * @param context The command it answered and the connection, when known.
 * @example
 * throw toRejectedError(reply, { command: 'subscribe', connectionId: 3 });
 */
export function toRejectedError(
  reply: ErrorReply,
  context: { readonly command?: string; readonly connectionId?: number } = {},
): CommandRejectedError {
  const text = reply.message.length > MAX_SERVER_TEXT ? `${reply.message.slice(0, MAX_SERVER_TEXT)}…` : reply.message;
  return new CommandRejectedError(reply.code, reply.classification, text === '' ? 'no message' : text, {
    ...(context.command === undefined ? {} : { command: context.command }),
    ...(context.connectionId === undefined ? {} : { connectionId: context.connectionId }),
    ...(reply.id === undefined ? {} : { commandId: reply.id }),
    ...(reply.sid === undefined ? {} : { sid: reply.sid }),
  });
}
