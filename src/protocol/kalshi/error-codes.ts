import type { RejectionClass } from '../../errors';

/** One row of {@link KALSHI_ERROR_CODES}. */
export interface KalshiErrorInfo {
  /** Kalshi's numeric code (`msg.code` of an `error` reply). */
  readonly code: number;
  /** What Kalshi means by it. */
  readonly meaning: string;
  /** What the pool does about it. */
  readonly action: string;
  /** How the pool classifies it (see {@link classifyKalshiError}). */
  readonly classification: RejectionClass;
}

const FAIL = 'fail the command';
const row = (code: number, meaning: string, action: string, classification: RejectionClass = 'caller'): KalshiErrorInfo =>
  Object.freeze({ code, meaning, action, classification });

/** Codes Kalshi documents only as "channel-specific parameter error"; the command fails. */
const CHANNEL_PARAMETER_CODES = [19, 20, 21, 22, 23, 24, 28];

/**
 * Kalshi WebSocket error codes 1..28 (docs/protocol.md "Error codes"): meaning, what the pool does, classification.
 * Codes 6, 16 and 17 are retired but kept so old servers are still described.
 */
export const KALSHI_ERROR_CODES: ReadonlyMap<number, KalshiErrorInfo> = new Map(
  [
    row(1, 'unable to process message', 'bug: log it and fail the command'),
    row(2, 'params required', FAIL),
    row(3, 'channels required', FAIL),
    row(4, 'subscription ids required', FAIL),
    row(5, 'unknown command', FAIL),
    row(6, 'already subscribed (retired)', 'treat as a merge into the existing subscription'),
    row(7, 'unknown subscription id', 'the sid is gone: subscribe again'),
    row(8, 'unknown channel name', 'configuration error: fail the command'),
    row(9, 'authentication required', 'orderbook commands: redial with a fresh signature; others: fail the command', 'auth'),
    row(10, 'channel error', 'the subscription is gone: subscribe again', 'terminal-subscription'),
    row(11, 'invalid parameter', FAIL),
    row(12, 'exactly one subscription id is required', FAIL),
    row(13, 'unsupported action', FAIL),
    row(14, 'market ticker required', FAIL),
    row(15, 'action required', FAIL),
    row(16, 'market not found (retired)', FAIL),
    row(17, 'internal error (retired)', FAIL),
    row(18, 'command timeout (server side)', 'retry the command later', 'rate-limit'),
    ...CHANNEL_PARAMETER_CODES.map((code) => row(code, 'channel-specific parameter error', FAIL)),
    row(25, 'subscription buffer overflow (the client read too slowly)', 'the subscription is gone: subscribe again', 'terminal-subscription'),
    row(26, 'subscription market limit exceeded', 'the connection is full: place the markets elsewhere', 'capacity'),
    row(27, 'too many requests', 'back off and retry', 'rate-limit'),
  ]
    .sort((a, b) => a.code - b.code)
    .map((info) => [info.code, info] as const),
);

/**
 * What a Kalshi error code means for the pool:
 * `terminal-subscription` (10, 25: resubscribe), `capacity` (26), `rate-limit` (27, 18),
 * `auth` (9), `caller` (everything else, unknown codes included).
 * @example
 * classifyKalshiError(25) // 'terminal-subscription'
 */
export function classifyKalshiError(code: number): RejectionClass {
  return KALSHI_ERROR_CODES.get(code)?.classification ?? 'caller';
}

/**
 * A one-line description of a Kalshi error code: `"<meaning>: <action>"`, or `"unknown error code N"`.
 * @example
 * kalshiErrorDescription(26) // 'subscription market limit exceeded: the connection is full: ...'
 */
export function kalshiErrorDescription(code: number): string {
  const info = KALSHI_ERROR_CODES.get(code);
  return info === undefined ? `unknown error code ${code}` : `${info.meaning}: ${info.action}`;
}
