import { describe, expect, it } from 'vitest';
import { createEnvelopeScan } from 'kalshi-ws-pool/protocol';

describe('createEnvelopeScan', () => {
  it('starts as a failed, empty scan with no msg', () => {
    expect(createEnvelopeScan()).toEqual({
      ok: false,
      failure: 'empty',
      type: undefined,
      id: undefined,
      sid: undefined,
      seq: undefined,
      msgStart: -1,
      msgEnd: -1,
    });
  });

  it('returns a new object each time', () => {
    expect(createEnvelopeScan()).not.toBe(createEnvelopeScan());
  });
});
