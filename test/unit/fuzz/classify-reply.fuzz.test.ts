import fc from 'fast-check';
import { classifyReply, createEnvelopeScan, scanEnvelope, toRejectedError } from 'kalshi-ws-pool/protocol';
import type { Reply } from 'kalshi-ws-pool/protocol';
import { describe, expect, it } from 'vitest';
import { MAX_MS_PER_INPUT, corpus, hostileBytes, mutatedFrame, timed } from './fuzz-helpers';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const KINDS = ['subscribed', 'updated', 'list', 'ok', 'unsubscribed', 'error', 'malformed'];

/** A value of any JSON type (and some edge numbers) for an envelope or msg field. */
const anyField = fc.oneof(
  fc.integer({ min: -3, max: 100_000 }),
  fc.constantFrom(0, 1.5, -0, 1e21, 2 ** 53, null, true, '', '7', 'sid', [], {}),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Control frames with every field possibly missing or of the wrong type. */
const controlFrame = fc
  .record(
    {
      type: fc.constantFrom('subscribed', 'ok', 'error', 'unsubscribed'),
      id: anyField,
      sid: anyField,
      seq: anyField,
      msg: fc.oneof(
        anyField,
        fc.record(
          { code: anyField, msg: anyField, sid: anyField, channel: anyField, market_tickers: fc.oneof(anyField, fc.array(anyField, { maxLength: 4 })) },
          { requiredKeys: [] },
        ),
        fc.array(fc.record({ sid: anyField, channel: anyField }, { requiredKeys: [] }), { maxLength: 3 }),
      ),
    },
    { requiredKeys: ['type'] },
  )
  .map((frame) => encoder.encode(JSON.stringify(frame)));

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** What the reply may claim, checked against JSON.parse of the same frame. */
function expectConsistent(bytes: Uint8Array, reply: Reply | undefined): void {
  let parsed: Record<string, unknown> | undefined;
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (reply === undefined) {
    if (parsed !== undefined) expect(['subscribed', 'ok', 'error', 'unsubscribed']).not.toContain(parsed['type']);
    return;
  }
  expect(KINDS).toContain(reply.kind);
  if (parsed === undefined) return; // accepted by the scanner, refused by JSON.parse: nothing to compare with
  const topSid = isInteger(parsed['sid']) ? parsed['sid'] : undefined;
  const topId = isInteger(parsed['id']) && parsed['id'] !== 0 ? parsed['id'] : undefined;
  expect(reply.id).toBe(topId);
  const msg = parsed['msg'] as Record<string, unknown> | undefined;
  switch (reply.kind) {
    case 'subscribed':
      // The sid of a subscription comes from msg.sid, never from anywhere else.
      expect(reply.sid).toBe(msg?.['sid']);
      expect(reply.sid).toBeGreaterThanOrEqual(1);
      break;
    case 'updated':
    case 'unsubscribed':
      expect(reply.sid).toBe(topSid);
      break;
    case 'error':
      expect(reply.sid).toBe(topSid);
      expect(Number.isInteger(reply.code)).toBe(true);
      expect(typeof reply.message).toBe('string');
      // The error the caller sees can always be built, whatever the server sent.
      expect(toRejectedError(reply, { command: 'subscribe', connectionId: 1 }).kalshiCode).toBe(reply.code);
      break;
    default:
      break;
  }
}

describe('classifyReply under hostile input', () => {
  it('classifies every real frame of the capture without a malformed reply', () => {
    for (const frame of corpus) {
      const reply = classifyReply(frame, scanEnvelope(frame));
      expect(reply?.kind).not.toBe('malformed');
      expectConsistent(frame, reply);
    }
  });

  it('never throws and stays consistent with JSON.parse on control frames with wrong-typed fields', () => {
    const scan = createEnvelopeScan();
    fc.assert(
      fc.property(controlFrame, (bytes) => {
        let reply: Reply | undefined;
        expect(timed(() => (reply = classifyReply(bytes, scanEnvelope(bytes, scan))))).toBeLessThan(MAX_MS_PER_INPUT);
        expectConsistent(bytes, reply);
      }),
      { numRuns: 5_000 },
    );
  });

  it('never throws and never mis-attributes a sid on mutated real frames and arbitrary bytes', () => {
    const scan = createEnvelopeScan();
    fc.assert(
      fc.property(fc.oneof(mutatedFrame, hostileBytes), (bytes) => {
        let reply: Reply | undefined;
        expect(timed(() => (reply = classifyReply(bytes, scanEnvelope(bytes, scan))))).toBeLessThan(MAX_MS_PER_INPUT);
        if (!scan.ok) expect(reply).toBeUndefined();
        expectConsistent(bytes, reply);
      }),
      { numRuns: 5_000 },
    );
  });
});
