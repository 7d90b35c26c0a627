import { describe, expect, it } from 'vitest';
import { KALSHI_ERROR_CODES, classifyKalshiError, kalshiErrorDescription } from 'kalshi-ws-pool/protocol';

describe('Kalshi error codes', () => {
  it('describes every code from 1 to 28', () => {
    for (let code = 1; code <= 28; code++) {
      const info = KALSHI_ERROR_CODES.get(code);
      expect(info?.code, `code ${code}`).toBe(code);
      expect(info!.meaning).not.toBe('');
      expect(kalshiErrorDescription(code)).toBe(`${info!.meaning}: ${info!.action}`);
    }
    expect(KALSHI_ERROR_CODES.size).toBe(28);
    expect(kalshiErrorDescription(25)).toContain('buffer overflow');
    expect(kalshiErrorDescription(12)).toContain('exactly one');
    expect(kalshiErrorDescription(99)).toBe('unknown error code 99');
  });

  it('classifies as the pool acts on them', () => {
    const expected = new Map([
      [10, 'terminal-subscription'],
      [25, 'terminal-subscription'],
      [26, 'capacity'],
      [27, 'rate-limit'],
      [18, 'rate-limit'],
      [9, 'auth'],
    ]);
    for (let code = 1; code <= 28; code++) {
      expect(classifyKalshiError(code), `code ${code}`).toBe(expected.get(code) ?? 'caller');
    }
    for (const unknown of [0, -1, 29, 1000, 1.5, Number.NaN]) expect(classifyKalshiError(unknown)).toBe('caller');
  });
});
