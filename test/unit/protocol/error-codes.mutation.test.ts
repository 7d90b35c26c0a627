import { describe, expect, it } from 'vitest';
import { KALSHI_ERROR_CODES, kalshiErrorDescription } from 'kalshi-ws-pool/protocol';

// The whole table as a caller reads it through kalshiErrorDescription(): "<meaning>: <action>".
// Written out in full so that a changed or emptied text in any row fails here.
const FAIL = 'fail the command';
const RESUBSCRIBE = 'the subscription is gone: subscribe again';
const expected: Record<number, string> = {
  1: 'unable to process message: bug: log it and fail the command',
  2: `params required: ${FAIL}`,
  3: `channels required: ${FAIL}`,
  4: `subscription ids required: ${FAIL}`,
  5: `unknown command: ${FAIL}`,
  6: 'already subscribed (retired): treat as a merge into the existing subscription',
  7: 'unknown subscription id: the sid is gone: subscribe again',
  8: 'unknown channel name: configuration error: fail the command',
  9: 'authentication required: orderbook commands: redial with a fresh signature; others: fail the command',
  10: `channel error: ${RESUBSCRIBE}`,
  11: `invalid parameter: ${FAIL}`,
  12: `exactly one subscription id is required: ${FAIL}`,
  13: `unsupported action: ${FAIL}`,
  14: `market ticker required: ${FAIL}`,
  15: `action required: ${FAIL}`,
  16: `market not found (retired): ${FAIL}`,
  17: `internal error (retired): ${FAIL}`,
  18: 'command timeout (server side): retry the command later',
  19: `channel-specific parameter error: ${FAIL}`,
  20: `channel-specific parameter error: ${FAIL}`,
  21: `channel-specific parameter error: ${FAIL}`,
  22: `channel-specific parameter error: ${FAIL}`,
  23: `channel-specific parameter error: ${FAIL}`,
  24: `channel-specific parameter error: ${FAIL}`,
  25: `subscription buffer overflow (the client read too slowly): ${RESUBSCRIBE}`,
  26: 'subscription market limit exceeded: the connection is full: place the markets elsewhere',
  27: 'too many requests: back off and retry',
  28: `channel-specific parameter error: ${FAIL}`,
};

describe('KALSHI_ERROR_CODES as callers read it', () => {
  it('describes every code with its exact meaning and action', () => {
    for (let code = 1; code <= 28; code++) {
      expect(kalshiErrorDescription(code), `code ${code}`).toBe(expected[code]);
    }
  });

  it('iterates in code order', () => {
    // Codes 19-24 and 28 are added after 18 in the source; the table is sorted so that a listing is ordered.
    expect([...KALSHI_ERROR_CODES.keys()]).toEqual(Array.from({ length: 28 }, (_, i) => i + 1));
  });

  it('hands out frozen rows', () => {
    for (const info of KALSHI_ERROR_CODES.values()) expect(Object.isFrozen(info), `code ${info.code}`).toBe(true);
  });
});
