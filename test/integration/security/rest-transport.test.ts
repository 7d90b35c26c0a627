/**
 * The REST transport against real HTTP servers on 127.0.0.1 (undici's fetch, not a stub): redirects are
 * refused without reaching the other host, response bodies are capped, and in every state (ok, 401, 429,
 * 3xx, timeout) the key id, timestamp and signature stay out of errors, logs and `util.inspect`.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { ConfigError, ProtocolError, RedirectError, createKalshiRestRegistry, createKalshiSigner, isKalshiWsPoolError } from 'kalshi-ws-pool';
import type { KalshiAuthHeaders, KalshiRestRegistry, KalshiSigner, LogFields, Logger } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const KEY_ID = 'a5f0c3e2-7b1d-4c9e-8f2a-1d3b5c7e9f0a';
// Fixed for the run, so the exact timestamp can be searched for (the simulator allows some clock skew).
const TIMESTAMP = String(Date.now());
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Every header value the signer produced: none may show up anywhere. */
const produced: KalshiAuthHeaders[] = [];
const inner = createKalshiSigner({ keyId: KEY_ID, privateKey: pem, clock: { now: () => Number(TIMESTAMP) } });
const signer: KalshiSigner = {
  async headers(method, path, signal) {
    const headers = await inner.headers(method, path, signal);
    produced.push(headers);
    return headers;
  },
};

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
const servers: Server[] = [];

async function serve(handler: Handler): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    handler(request, response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const logged: string[] = [];
const logger: Logger = {
  debug: (fields: LogFields, message: string) => logged.push(inspect(fields, { depth: Infinity }), message),
  info: (fields: LogFields, message: string) => logged.push(inspect(fields, { depth: Infinity }), message),
  warn: (fields: LogFields, message: string) => logged.push(inspect(fields, { depth: Infinity }), message),
  error: (fields: LogFields, message: string) => logged.push(inspect(fields, { depth: Infinity }), message),
};

let sim: Simulator;
const registries: KalshiRestRegistry[] = [];

function registry(baseUrl: string, extra: { requestTimeoutMs?: number; maxResponseBytes?: number } = {}): KalshiRestRegistry {
  const created = createKalshiRestRegistry({ baseUrl, signer, logger, retry: { initialDelayMs: 10, maxDelayMs: 20 }, ...extra });
  registries.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

function surfaces(value: unknown): string {
  const parts = [inspect(value, { depth: Infinity, showHidden: true }), String(value)];
  for (let e: unknown = value; e instanceof Error; e = e.cause) parts.push(e.message, e.stack ?? '');
  return parts.join('\n');
}

function expectNoSecrets(label: string, text: string): void {
  expect(produced.length, 'the signer was used').toBeGreaterThan(0);
  const needles = [KEY_ID, KEY_ID.slice(9, 23), TIMESTAMP, ...produced.map((h) => h['KALSHI-ACCESS-SIGNATURE'].slice(10, 40))];
  for (const needle of needles) expect(text.includes(needle), `${label} contains ${needle}`).toBe(false);
}

beforeAll(async () => {
  sim = await startSimulator({ markets: 50, pingIntervalMs: 0, publicKeys: [createPublicPem()] });
});

function createPublicPem(): string {
  return createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
}

afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.stop()));
  sim.faults.clear();
  logged.length = 0;
});

afterAll(async () => {
  await sim.close();
  await Promise.all(
    servers.map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

describe('REST redirects are refused (#19)', () => {
  it('regression: a 302 to another host reaches neither that host nor its market list', async () => {
    const other = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ markets: [{ ticker: 'EVIL-1' }], cursor: '' }));
    });
    const redirecting = await serve((_request, response) => {
      response.writeHead(302, { location: `${other.url}/trade-api/v2/markets?status=open` });
      response.end();
    });
    const error = await failure(registry(`${redirecting.url}/trade-api/v2`).markets());
    expect(error).toBeInstanceOf(RedirectError);
    const redirect = error as RedirectError;
    expect(redirect.code).toBe('KWP_REDIRECT');
    expect(redirect.status).toBe(302);
    expect(redirect.retryable).toBe(false);
    expect(redirect.location).toBe(`${other.url}/trade-api/v2/markets?status=open`);
    expect(redirect.message).toContain(other.url);
    expect(redirecting.requests).toHaveLength(1);
    // The signed headers never left for the other host.
    expect(other.requests).toHaveLength(0);
    expectNoSecrets('redirect error', surfaces(error));
  });

  it('a 301 to plain http on the same host is refused too', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(301, { location: 'http://127.0.0.1:1/trade-api/v2/markets' });
      response.end();
    });
    const error = await failure(registry(`${server.url}/trade-api/v2`).markets());
    expect(isKalshiWsPoolError(error, 'KWP_REDIRECT')).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('control characters in a Location header do not reach the message', async () => {
    const server = await serve((_request, response) => {
      // HTTP forbids CR/LF/ESC in headers; a tab and the one-byte C1 CSI (0x9b) get through.
      response.writeHead(307, { location: 'https://evil.example/\u009b31mred\tx' });
      response.end();
    });
    const error = (await failure(registry(`${server.url}/trade-api/v2`).markets())) as RedirectError;
    // eslint-disable-next-line no-control-regex
    expect(error.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(error.location).toBe('https://evil.example/ 31mred x');
  });
});

describe('REST response size cap (#19)', () => {
  const big = JSON.stringify({ markets: Array.from({ length: 4000 }, (_, i) => ({ ticker: `KXBIG-${i}`, pad: 'x'.repeat(200) })), cursor: '' });

  it('a body over maxResponseBytes fails with rest-body-too-large (content-length declared)', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) });
      response.end(big);
    });
    const error = await failure(registry(`${server.url}/trade-api/v2`, { maxResponseBytes: 100_000 }).markets());
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reason).toBe('rest-body-too-large');
  });

  it('a chunked body over maxResponseBytes fails while streaming', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < big.length; i += 16_384) response.write(big.slice(i, i + 16_384));
      response.end();
    });
    const error = await failure(registry(`${server.url}/trade-api/v2`, { maxResponseBytes: 100_000 }).markets());
    expect((error as ProtocolError).reason).toBe('rest-body-too-large');
    // Under the cap, the same body loads.
    await expect(registry(`${server.url}/trade-api/v2`).markets()).resolves.toHaveLength(4000);
  });
});

describe('REST privacy in every state (#19)', () => {
  it('ok: registry, its markets and the logs hold no key id, timestamp or signature', async () => {
    const r = registry(sim.restUrl);
    expect(await r.markets()).toHaveLength(50);
    expectNoSecrets('registry', inspect(r, { depth: Infinity, showHidden: true }) + String(r));
    expectNoSecrets('logs', logged.join('\n'));
  });

  it.each([
    [401, 'KWP_AUTH'],
    [429, 'KWP_RATE_LIMITED'],
  ] as const)('HTTP %i: error, logs and util.inspect are clean', async (status, code) => {
    sim.faults.rejectHandshakes({ status, applyTo: 'rest', ...(status === 429 ? { retryAfterSeconds: 0 } : {}) });
    const r = registry(sim.restUrl);
    const error = await failure(r.markets());
    expect(isKalshiWsPoolError(error, code)).toBe(true);
    expectNoSecrets(`HTTP ${status} error`, surfaces(error));
    expectNoSecrets('registry', inspect(r, { depth: Infinity, showHidden: true }));
    expectNoSecrets('logs', logged.join('\n'));
  });

  it('3xx: error, logs and util.inspect are clean', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(308, { location: 'https://elsewhere.example/trade-api/v2/markets' });
      response.end();
    });
    const r = registry(`${server.url}/trade-api/v2`);
    const error = await failure(r.markets());
    expect(error).toBeInstanceOf(RedirectError);
    expectNoSecrets('3xx error', surfaces(error));
    expectNoSecrets('logs', logged.join('\n'));
  });

  it('timeout: error, logs and util.inspect are clean', async () => {
    const server = await serve(() => {
      // Never answers; the request timeout ends it.
    });
    const r = registry(`${server.url}/trade-api/v2`, { requestTimeoutMs: 100 });
    const error = await failure(r.markets());
    expect(isKalshiWsPoolError(error, 'KWP_CONNECT')).toBe(true);
    expect((error as Error).message).toMatch(/timed out after 100 ms/);
    expectNoSecrets('timeout error', surfaces(error));
    expectNoSecrets('logs', logged.join('\n'));
    expect(server.requests.length).toBeGreaterThan(0);
  });
});

describe('REST base URL transport rule (#19)', () => {
  it('http:// is refused for a non-loopback host unless allowInsecureTransport, like ws://', () => {
    const create = (baseUrl: string, allowInsecureTransport?: boolean) =>
      createKalshiRestRegistry({ baseUrl, signer, ...(allowInsecureTransport === undefined ? {} : { allowInsecureTransport }) });
    expect(() => create('http://api.elections.kalshi.com/trade-api/v2')).toThrow(ConfigError);
    expect(() => create('http://api.elections.kalshi.com/trade-api/v2')).toThrow(/allowInsecureTransport/);
    expect(() => create('http://localhost.evil.com/trade-api/v2')).toThrow(ConfigError);
    expect(() => create('http://user:pw@127.0.0.1/trade-api/v2')).toThrow(/credentials/);
    expect(() => create('https://api.elections.kalshi.com/trade-api/v2')).not.toThrow();
    expect(() => create('http://127.0.0.1:9/trade-api/v2')).not.toThrow();
    expect(() => create('http://[::1]:9/trade-api/v2')).not.toThrow();
    expect(() => create('http://10.0.0.5/trade-api/v2', true)).not.toThrow();
    expect(() => create('http://10.0.0.5/trade-api/v2', 'yes' as unknown as boolean)).toThrow(/allowInsecureTransport/);
  });
});
