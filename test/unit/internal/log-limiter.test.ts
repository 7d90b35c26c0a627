import { describe, expect, it } from 'vitest';
import { ConfigError } from 'kalshi-ws-pool';
import type { Logger } from 'kalshi-ws-pool';
import { recordingLogger } from '../../helpers/logger';
import { createRateLimitedLogger, redactFields } from '../../../src/internal/log-limiter';

function setup(windowMs = 1000) {
  const inner = recordingLogger();
  const { lines } = inner;
  let now = 0;
  const clock = { now: () => now };
  const log = createRateLimitedLogger(inner, { windowMs, clock });
  return {
    log,
    lines,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('createRateLimitedLogger', () => {
  it('logs the first of identical warnings in a window, whatever the connection', () => {
    const { log, lines } = setup();
    for (let id = 1; id <= 50; id += 1) log.warn({ connectionId: id }, 'reconnecting');
    expect(lines).toEqual([{ level: 'warn', fields: { connectionId: 1 }, message: 'reconnecting' }]);
  });

  it('logs a summary lazily on the next call after the window', () => {
    const { log, lines, advance } = setup(1000);
    log.error({ connectionId: 1 }, 'handshake rejected');
    log.error({ connectionId: 2 }, 'handshake rejected');
    log.error({ connectionId: 3 }, 'handshake rejected');
    advance(999);
    log.error({ connectionId: 4 }, 'handshake rejected');
    expect(lines).toHaveLength(1);
    advance(1);
    // No timer: nothing happens until the next call (of any level).
    expect(lines).toHaveLength(1);
    log.debug({}, 'tick');
    expect(lines.slice(1)).toEqual([
      { level: 'error', fields: { suppressed: 3, windowMs: 1000, connectionIds: [2, 3, 4] }, message: 'handshake rejected' },
      { level: 'debug', fields: {}, message: 'tick' },
    ]);
    // A new window starts with a logged line.
    log.error({ connectionId: 5 }, 'handshake rejected');
    expect(lines).toHaveLength(4);
    expect(lines[3]!.fields).toEqual({ connectionId: 5 });
  });

  it('a folded line keeps which connections it stands for (6 connections dropping together)', () => {
    const { log, lines } = setup(1000);
    for (let id = 1; id <= 6; id += 1) log.warn({ connectionId: id, role: 'orderbook' }, 'disconnected');
    log.warn({ connectionId: 3 }, 'disconnected'); // a repeat from a connection already listed
    log.flush();
    expect(lines).toEqual([
      { level: 'warn', fields: { connectionId: 1, role: 'orderbook' }, message: 'disconnected' },
      { level: 'warn', fields: { suppressed: 6, windowMs: 1000, connectionIds: [2, 3, 4, 5, 6] }, message: 'disconnected' },
    ]);
  });

  it('lists at most 20 connection ids in a fold and counts the rest', () => {
    const { log, lines } = setup(1000);
    for (let id = 1; id <= 30; id += 1) log.warn({ connectionId: id }, 'reconnecting');
    log.warn({}, 'reconnecting'); // no id: counted, not listed
    log.flush();
    const summary = lines[1]!.fields;
    expect(summary['suppressed']).toBe(30);
    expect(summary['connectionIds']).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    expect(summary['connectionIdsOmitted']).toBe(9);
  });

  it('keeps levels and messages apart and lets debug/info through', () => {
    const { log, lines } = setup();
    log.warn({}, 'a');
    log.error({}, 'a');
    log.warn({}, 'b');
    log.info({}, 'i');
    log.info({}, 'i');
    log.debug({}, 'd');
    log.debug({}, 'd');
    expect(lines.map((l) => `${l.level}:${l.message}`)).toEqual(['warn:a', 'error:a', 'warn:b', 'info:i', 'info:i', 'debug:d', 'debug:d']);
  });

  it('writes no summary for a window without repeats', () => {
    const { log, lines, advance } = setup(1000);
    log.warn({}, 'once');
    advance(5000);
    log.warn({}, 'other');
    expect(lines.map((l) => l.message)).toEqual(['once', 'other']);
  });

  it('flush() writes pending summaries now and closes the windows', () => {
    const { log, lines } = setup();
    log.warn({}, 'x');
    log.warn({}, 'x');
    log.warn({}, 'y');
    log.flush();
    expect(lines.slice(2)).toEqual([{ level: 'warn', fields: { suppressed: 1, windowMs: 1000 }, message: 'x' }]);
    log.warn({}, 'x');
    expect(lines).toHaveLength(4);
    log.flush();
    expect(lines).toHaveLength(4);
  });

  it('redacts secret-looking fields on every level', () => {
    const { log, lines } = setup();
    log.info({ keyId: 'FAKE-KEY', connectionId: 2 }, 'dial');
    log.warn({ 'KALSHI-ACCESS-SIGNATURE': 'sig', attempt: 3 }, 'retry');
    expect(lines.map((l) => l.fields)).toEqual([{ connectionId: 2 }, { attempt: 3 }]);
  });

  it('validates windowMs', () => {
    const inner: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    expect(() => createRateLimitedLogger(inner, { windowMs: 0 })).toThrow(ConfigError);
    expect(() => createRateLimitedLogger(inner, { windowMs: Number.POSITIVE_INFINITY })).toThrow(/windowMs/);
  });
});

describe('redactFields', () => {
  it('drops key-material field names, case and separators ignored', () => {
    const fields = {
      privateKey: 1,
      private_key: 2,
      PRIVATEKEYPEM: 3,
      keyId: 4,
      'api-key-id': 5,
      signature: 6,
      Authorization: 7,
      'KALSHI-ACCESS-KEY': 8,
      clientSecret: 9,
      connectionId: 10,
      role: 'orderbook',
      sid: 3,
    };
    expect(redactFields(fields)).toEqual({ connectionId: 10, role: 'orderbook', sid: 3 });
  });

  it('returns the same object when nothing is dropped', () => {
    const fields = { connectionId: 1, attempt: 2 };
    expect(redactFields(fields)).toBe(fields);
  });
});
