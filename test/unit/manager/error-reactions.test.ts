import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classifyKalshiError, kalshiErrorDescription } from 'kalshi-ws-pool/protocol';
import { describe, expect, it } from 'vitest';
import { REPAIR_HOLD_MS, kalshiReaction } from '../../../src/manager/error-reactions';
import type { KalshiReaction } from '../../../src/manager/error-reactions';

interface DocRow {
  readonly codes: number[];
  readonly classification: string;
  readonly action: string;
}

/** The Kalshi error table of docs/errors.md: `| code | meaning | classification | what the pool does |`. */
function docTable(): DocRow[] {
  const text = readFileSync(fileURLToPath(new URL('../../../docs/errors.md', import.meta.url)), 'utf8');
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /^\| code \| meaning \| classification \| what the pool does \|/.test(l));
  expect(header).toBeGreaterThan(0);
  const rows: DocRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const [codeCell, , classCell, action] = cells as [string, string, string, string];
    const range = codeCell.replaceAll('*', '').split(/[–-]/).map(Number);
    const [from, to = from] = range as [number, number?];
    const codes = Array.from({ length: to! - from + 1 }, (_, i) => from + i);
    rows.push({ codes, classification: classCell.replaceAll('`', ''), action });
  }
  return rows;
}

/** What the doc's wording must say for each reaction of an orderbook batch. */
const WORDING: Record<KalshiReaction['kind'], RegExp> = {
  resubscribe: /resubscribe|subscribed again/,
  hold: /hold the pool-wide command limiter|as 18/,
  'slot-full': /slot full/,
  redial: /redial/,
  retry: /default handling/,
};

describe('Kalshi error reaction table', () => {
  it('docs/errors.md lists codes 1..28 once each, with the classification the code uses', () => {
    const rows = docTable();
    const codes = rows.flatMap((r) => r.codes).sort((a, b) => a - b);
    expect(codes).toEqual(Array.from({ length: 28 }, (_, i) => i + 1));
    for (const row of rows) for (const code of row.codes) expect([code, row.classification]).toEqual([code, classifyKalshiError(code)]);
  });

  it('docs/errors.md describes the reaction the table gives for each code', () => {
    for (const row of docTable()) {
      for (const code of row.codes) {
        const reaction = kalshiReaction(code, 'orderbook-command');
        expect({ code, action: row.action }).toEqual({ code, action: expect.stringMatching(WORDING[reaction.kind]) });
      }
    }
    const rateLimited = docTable().find((r) => r.codes.includes(18))!;
    expect(rateLimited.action).toContain(`${REPAIR_HOLD_MS / 1000} s`);
  });

  it('every context resubscribes on 7, 10 and 25 and holds on 18 and 27', () => {
    for (const context of ['frame', 'orderbook-command', 'repair', 'role'] as const) {
      for (const code of [7, 10, 25]) expect(kalshiReaction(code, context).kind).toBe('resubscribe');
      for (const code of [18, 27]) expect(kalshiReaction(code, context).kind).toBe('hold');
    }
    expect(kalshiReaction(18, 'repair')).toEqual({ kind: 'hold', ms: REPAIR_HOLD_MS });
    expect(kalshiReaction(26, 'repair').kind).toBe('retry');
    expect(kalshiReaction(9, 'frame').kind).toBe('retry');
    expect(kalshiReaction(undefined, 'orderbook-command').kind).toBe('retry');
  });

  it('code 9 is described as a redial, not as "stop" (stale since the redial change)', () => {
    expect(kalshiErrorDescription(9)).toContain('redial');
    expect(kalshiErrorDescription(9)).not.toContain('stop');
  });
});
