/**
 * Hostile-input helpers: the real frames of test/fixtures/kalshi-frames.jsonl and a fast-check
 * arbitrary of mutations of them (byte flips, truncations, insertions, duplicated and escaped keys).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

const encoder = new TextEncoder();

/** Every frame of the real capture, as bytes. */
export const corpus: readonly Uint8Array[] = readFileSync(new URL('../../fixtures/kalshi-frames.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => encoder.encode(line));

/** Bytes that change JSON structure when inserted or flipped in. */
const structural = [...'"{}[]:,\\ -0123456789eE.tfn\n'].map((c) => c.charCodeAt(0));

type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly byte: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate-key'; readonly key: string; readonly value: string; readonly first: boolean }
  | { readonly kind: 'escape-key'; readonly key: string };

const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...structural));
const envelopeKey = fc.constantFrom('sid', 'seq', 'id', 'type', 'msg');
const rawValue = fc.oneof(
  fc.integer({ min: -5, max: 1_000_000 }).map(String),
  fc.constantFrom('1e2', '-0', '1.5', '99999999999999999999', '"7"', 'null', 'true', '{"sid":3}', '[1,2]', '"orderbook_delta"', '"ok"', '"error"'),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(byte, { minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('duplicate-key' as const), key: envelopeKey, value: rawValue, first: fc.boolean() }),
  fc.record({ kind: fc.constant('escape-key' as const), key: envelopeKey }),
);

function apply(bytes: number[], m: Mutation): number[] {
  const at = bytes.length === 0 ? 0 : m.kind === 'duplicate-key' || m.kind === 'escape-key' ? 0 : m.at % (bytes.length + 1);
  switch (m.kind) {
    case 'flip':
      if (bytes.length > 0) bytes[at % bytes.length] = m.byte;
      return bytes;
    case 'truncate':
      return bytes.slice(0, at);
    case 'insert':
      bytes.splice(at, 0, ...m.bytes);
      return bytes;
    case 'delete':
      bytes.splice(at, m.length);
      return bytes;
    case 'duplicate-key': {
      // A second copy of a top-level key, before the first member or after the last one.
      const extra = Array.from(encoder.encode(`"${m.key}":${m.value}`));
      if (m.first) {
        const open = bytes.indexOf(0x7b);
        if (open >= 0) bytes.splice(open + 1, 0, ...extra, 0x2c);
      } else {
        const close = bytes.lastIndexOf(0x7d);
        if (close >= 0) bytes.splice(close, 0, 0x2c, ...extra);
      }
      return bytes;
    }
    case 'escape-key': {
      // "sid" -> "\u0073id": the same key, spelled with an escape (first occurrence only).
      const text = new TextDecoder().decode(Uint8Array.from(bytes));
      const escaped = `"\\u${m.key.charCodeAt(0).toString(16).padStart(4, '0')}${m.key.slice(1)}"`;
      return Array.from(encoder.encode(text.replace(`"${m.key}"`, escaped)));
    }
  }
}

/** A real frame with 1 to 4 mutations applied. */
export const mutatedFrame: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.nat({ max: corpus.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([index, mutations]) => Uint8Array.from(mutations.reduce((bytes, m) => apply(bytes, m), Array.from(corpus[index]!))));

/** Anything a socket could deliver: random bytes, random text, or a mutated real frame. */
export const hostileBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc.string({ unit: 'binary', maxLength: 128 }).map((s) => encoder.encode(s)),
  mutatedFrame,
);

/** Runs `fn` and returns how long it took, in ms. */
export function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/**
 * A generous per-input bound: the inputs are at most a few KB and scanning is linear. Lifted in mutation
 * runs (`KWP_MUTATION_RUN`): instrumented code on a loaded machine fails a time bound for timing alone,
 * which aborts Stryker's initial run or records a mutant as killed by the wrong test.
 */
export const MAX_MS_PER_INPUT = process.env['KWP_MUTATION_RUN'] === undefined ? 50 : Number.POSITIVE_INFINITY;
