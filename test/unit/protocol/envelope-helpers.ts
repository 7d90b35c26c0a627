import { expect } from 'vitest';
import { scanEnvelope } from 'kalshi-ws-pool/protocol';
import type { EnvelopeScan } from 'kalshi-ws-pool/protocol';

const decoder = new TextDecoder();

/** What JSON.parse says the envelope is, in the scanner's terms (undefined when not an object). */
export interface ExpectedEnvelope {
  type: string | undefined;
  id: number | undefined;
  sid: number | undefined;
  seq: number | undefined;
  hasMsg: boolean;
  msg: unknown;
}

function integerOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** JSON.parse's reading of `bytes`: `null` when it throws, `'not-object'` when it is not an object. */
export function parseReference(bytes: Uint8Array): ExpectedEnvelope | null | 'not-object' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not-object';
  const record = parsed as Record<string, unknown>;
  return {
    type: typeof record['type'] === 'string' ? record['type'] : undefined,
    id: integerOf(record['id']),
    sid: integerOf(record['sid']),
    seq: integerOf(record['seq']),
    hasMsg: Object.hasOwn(record, 'msg'),
    msg: record['msg'],
  };
}

/** Asserts the scan agrees with JSON.parse on a frame JSON.parse accepts as an object. */
export function expectAgreement(bytes: Uint8Array, scan: EnvelopeScan): void {
  const reference = parseReference(bytes);
  if (reference === null || reference === 'not-object') {
    throw new Error(`reference did not parse an object: ${decoder.decode(bytes).slice(0, 200)}`);
  }
  expect(scan.ok).toBe(true);
  expect(scan.failure).toBeUndefined();
  expect(scan.type).toBe(reference.type);
  expect(scan.id).toBe(reference.id);
  expect(scan.sid).toBe(reference.sid);
  expect(scan.seq).toBe(reference.seq);
  if (reference.hasMsg) {
    expect(scan.msgStart).toBeGreaterThan(0);
    const slice = decoder.decode(bytes.subarray(scan.msgStart, scan.msgEnd));
    expect(JSON.parse(slice)).toStrictEqual(reference.msg);
  } else {
    expect(scan.msgStart).toBe(-1);
    expect(scan.msgEnd).toBe(-1);
  }
}

const NULL_BYTES = new TextEncoder().encode('null');

function fieldsOf(scan: EnvelopeScan): unknown[] {
  return [scan.ok, scan.failure, scan.type, scan.id, scan.sid, scan.seq];
}

/**
 * Asserts envelope mode is sound against strict mode on any bytes: the same answer whenever strict
 * accepts; the same failure whenever envelope mode fails; and when only envelope mode accepts (a
 * malformed body it never walked), the frame with its `msg` range replaced by `null` is read strictly
 * with exactly the reported fields, so no field came from inside the body.
 */
export function expectEnvelopeModeSound(bytes: Uint8Array): void {
  const envelope = scanEnvelope(bytes, undefined, 'envelope');
  const strict = scanEnvelope(bytes, undefined, 'strict');
  if (strict.ok || !envelope.ok) {
    expect(fieldsOf(envelope)).toStrictEqual(fieldsOf(strict));
    expect([envelope.msgStart, envelope.msgEnd]).toStrictEqual([strict.msgStart, strict.msgEnd]);
    return;
  }
  const patched = new Uint8Array(bytes.length - (envelope.msgEnd - envelope.msgStart) + NULL_BYTES.length);
  patched.set(bytes.subarray(0, envelope.msgStart), 0);
  patched.set(NULL_BYTES, envelope.msgStart);
  patched.set(bytes.subarray(envelope.msgEnd), envelope.msgStart + NULL_BYTES.length);
  const reread = scanEnvelope(patched, undefined, 'strict');
  expect(fieldsOf(reread)).toStrictEqual(fieldsOf(envelope));
  expect(reread.msgStart).toBe(envelope.msgStart);
}
