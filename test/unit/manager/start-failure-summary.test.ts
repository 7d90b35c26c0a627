import { describe, expect, it } from 'vitest';
import { AuthError, ClosedError, ConnectError, PoolStartError, RateLimitedError } from 'kalshi-ws-pool';
import { failureKind, summariseStartFailures } from '../../../src/manager/start-failure-summary';

const URL_V2 = 'wss://api.elections.kalshi.com/trade-api/ws/v2';
const sys = (code: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(`${code} something`), { code, ...extra });
const failures = (...errors: Error[]) => errors.map((error, i) => ({ connectionId: i + 1, error }));

describe('summariseStartFailures (#14)', () => {
  it('groups by kind, most frequent first, and points to docs/troubleshooting.md once', () => {
    const text = summariseStartFailures(
      failures(
        new ConnectError('connect failed', { cause: sys('ECONNREFUSED', { address: '127.0.0.1', port: 9 }) }),
        new AuthError('handshake rejected with HTTP 401', { status: 401 }),
        new AuthError('handshake rejected with HTTP 401', { status: 401 }),
      ),
      'ws://127.0.0.1:9/trade-api/ws/v2',
    );
    expect(text).toBe(
      '2 × HTTP 401: the key id or private key was rejected (or the clock is off, or they belong to the other environment); ' +
        '1 × ECONNREFUSED 127.0.0.1:9: nothing is listening there (check the url and that the server runs) (see docs/troubleshooting.md)',
    );
  });

  it('ENOTFOUND names the host (from the error, else from the url), also through an AggregateError', () => {
    expect(failureKind(new ConnectError('x', { cause: sys('ENOTFOUND', { hostname: 'api.kalsh.com' }) }), URL_V2)).toEqual({
      label: 'ENOTFOUND api.kalsh.com',
      hint: 'the host name does not resolve (check the url and DNS)',
    });
    const aggregate = Object.assign(new AggregateError([sys('ECONNREFUSED', { address: '::1', port: 443 })], 'x'), { code: undefined });
    expect(failureKind(new ConnectError('x', { cause: aggregate }), URL_V2).label).toBe('ECONNREFUSED ::1:443');
    expect(failureKind(new ConnectError('x', { cause: sys('EAI_AGAIN') }), URL_V2).label).toBe('EAI_AGAIN api.elections.kalshi.com');
  });

  it('hints for 403, 404 (naming the wrong path), 429, 5xx, timeouts, signing and stop', () => {
    expect(failureKind(new AuthError('x', { status: 403 }), URL_V2).hint).toMatch(/may not use this endpoint/);
    expect(failureKind(new ConnectError('x', { status: 404 }), 'ws://h/ws').hint).toBe('/ws was not found; is the path /trade-api/ws/v2?');
    expect(failureKind(new RateLimitedError('x', {}), URL_V2).label).toBe('HTTP 429');
    expect(failureKind(new ConnectError('x', { status: 503 }), URL_V2).hint).toMatch(/retried/);
    expect(failureKind(new ConnectError('x', { cause: sys('ETIMEDOUT') }), URL_V2).hint).toMatch(/dialTimeoutMs/);
    expect(failureKind(new AuthError('signing the handshake failed on connection 3'), URL_V2).label).toBe('signing failed');
    expect(failureKind(new ClosedError('stopping'), URL_V2).label).toBe('closed');
  });

  it('unknown failures group by code and message without the connection id; past 4 kinds the rest are counted', () => {
    const text = summariseStartFailures(
      failures(
        new Error('boom on connection 1'),
        new Error('boom on connection 2'),
        new ConnectError('x', { status: 500 }),
        new ConnectError('x', { status: 401 }),
        new ConnectError('x', { status: 403 }),
        new ConnectError('x', { status: 404 }),
      ),
      undefined,
    );
    expect(text.startsWith('2 × Error: boom; ')).toBe(true);
    expect(text).toContain('; 1 more of other kinds (see docs/troubleshooting.md)');
    expect(summariseStartFailures([], undefined)).toBe('');
  });

  it('PoolStartError without a summary keeps the short form', () => {
    expect(new PoolStartError(1, 2, failures(new Error('x'))).message).toBe('pool start failed: 1 healthy connections, 2 required (1 failed)');
    expect(new PoolStartError(0, 2, [], { summary: 'S' }).message).toBe('pool start failed: 0 healthy connections, 2 required; S');
  });
});
