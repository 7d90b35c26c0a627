import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { scanEnvelope } from 'kalshi-ws-pool/protocol';
import type { ScanMode } from 'kalshi-ws-pool/protocol';

// Outside Node (no Buffer) the flat-msg check falls back to a byte loop: it must decide the same.
const frames = [
  ...readFileSync(new URL('../../fixtures/kalshi-frames.jsonl', import.meta.url), 'utf8').split('\n').filter((line) => line.trim() !== ''),
  '{"type":"a","msg":{"x":{"sid":9},"y":1},"sid":4}',
  '{"type":"a","msg":[[1],[2]],"seq":2}',
  '{"msg":{"a":1}},"seq":5,"type":"trade"}',
  '{"msg":{"a":"{"},"seq":5,"type":"trade"}',
  '{"msg":{"a":"x"},"seq":{"b":1},"type":"trade"}',
  '{"type":"a","msg":[["x"],"seq":2}',
  '{"type":"a","msg":{"b":{"c":1,"seq":2}',
];

describe('scanEnvelope without Buffer', () => {
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('agrees with the Buffer path on every frame, in both modes', async () => {
    vi.stubGlobal('Buffer', undefined);
    vi.resetModules();
    const fallback = (await import('../../../src/protocol/kalshi/envelope-scanner')).scanEnvelope;
    vi.unstubAllGlobals();
    const encoder = new TextEncoder();
    let walkedLess = 0;
    for (const text of frames) {
      for (const mode of ['envelope', 'strict'] as ScanMode[]) {
        const bytes = encoder.encode(text);
        const a = { ...scanEnvelope(bytes, undefined, mode) };
        const b = { ...fallback(bytes, undefined, mode) };
        expect(b, `${mode}: ${text}`).toStrictEqual(a);
        if (mode === 'envelope' && a.ok && !scanEnvelope(bytes, undefined, 'strict').ok) walkedLess++;
      }
    }
    expect(walkedLess).toBe(1); // the stray-closer frame: accepted without walking its body, both ways
  });
});
