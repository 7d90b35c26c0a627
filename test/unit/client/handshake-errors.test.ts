import { describe, expect, it } from 'vitest';
import { AuthError, ConnectError, RateLimitedError } from 'kalshi-ws-pool';
import { classifyHandshakeStatus, parseRetryAfter } from '../../../src/client/handshake-errors';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('handshake error classification', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(['3', '9'], now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('maps 401/403 to AuthError (not retryable)', () => {
    for (const status of [401, 403]) {
      const error = classifyHandshakeStatus(status, undefined, now, { connectionId: 3 });
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ code: 'KWP_AUTH', status, retryable: false, connectionId: 3 });
      expect(error.message).toContain('connection 3');
    }
  });

  it('maps 429 to RateLimitedError with retryAfterMs', () => {
    const error = classifyHandshakeStatus(429, '12', now, {});
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'KWP_RATE_LIMITED', status: 429, retryable: true, retryAfterMs: 12_000 });
    expect(classifyHandshakeStatus(429, undefined, now, {})).toMatchObject({ retryAfterMs: undefined });
  });

  it('maps 5xx to a retryable ConnectError and other statuses to a non-retryable one', () => {
    const e503 = classifyHandshakeStatus(503, undefined, now, {});
    expect(e503).toBeInstanceOf(ConnectError);
    expect(e503).not.toBeInstanceOf(AuthError);
    expect(e503).toMatchObject({ code: 'KWP_CONNECT', status: 503, retryable: true });
    expect(classifyHandshakeStatus(404, undefined, now, {})).toMatchObject({ code: 'KWP_CONNECT', retryable: false });
  });
});
