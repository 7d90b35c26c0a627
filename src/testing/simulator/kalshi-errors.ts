/**
 * Kalshi's WebSocket error codes as the simulator sends them (`msg.code` / `msg.msg`).
 * See docs/protocol.md "Error codes".
 */
export const KALSHI_ERROR_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  1: 'Unable to process message',
  2: 'Params required',
  3: 'Channels required',
  4: 'Subscription IDs required',
  5: 'Unknown command',
  6: 'Already subscribed',
  7: 'Unknown subscription ID',
  8: 'Unknown channel name',
  9: 'Authentication required',
  10: 'Channel error',
  11: 'Invalid parameter',
  12: 'Exactly one subscription ID is required',
  13: 'Unsupported action',
  14: 'Market Ticker required',
  15: 'Action required',
  16: 'Market not found',
  17: 'Internal error',
  18: 'Command timeout',
  25: 'Subscription buffer overflow',
  26: 'Subscription market limit exceeded',
  27: 'Too many requests',
});

/** The message text of an error code (`'Error'` for codes without one). */
export function kalshiErrorMessage(code: number): string {
  return KALSHI_ERROR_MESSAGES[code] ?? 'Error';
}
