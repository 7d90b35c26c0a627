import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ConnectError, createConnectionManager, createKalshiClient, createMemoryRegistry } from 'kalshi-ws-pool';
import type { KalshiSigner } from 'kalshi-ws-pool';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const signer: KalshiSigner = {
  headers: () => Promise.resolve({ 'KALSHI-ACCESS-KEY': 'k', 'KALSHI-ACCESS-TIMESTAMP': '0', 'KALSHI-ACCESS-SIGNATURE': 's' }),
};
const path = '/trade-api/ws/v2';

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const insecure = [
  `ws://example.com${path}`,
  `ws://10.0.0.5${path}`,
  `ws://0.0.0.0${path}`,
  `ws://[::2]${path}`,
  `ws://127.0.0.1.evil.example${path}`,
  `ws://localhost.evil.example${path}`,
  `ws://external-api-ws.kalshi.com${path}`,
];
const loopback = [`ws://127.0.0.1:9${path}`, `ws://127.8.9.10${path}`, `ws://localhost:9${path}`, `ws://[::1]:9${path}`];

describe('TLS policy: wss:// only, ws:// for loopback or with the documented escape hatch', () => {
  it.each(insecure)('createKalshiClient rejects %s with ConfigError (option url)', (url) => {
    const error = configErrorOf(() => createKalshiClient({ url, signer }));
    expect(error.option).toBe('url');
    expect(error.message).toMatch(/allowInsecureTransport/);
  });

  it.each(insecure)('regression (accepted, then every dial failed and was retried): createConnectionManager rejects %s up front', (url) => {
    const error = configErrorOf(() => createConnectionManager({ url, signer, registry: createMemoryRegistry() }));
    expect(error.option).toBe('url');
  });

  it.each(loopback)('accepts loopback %s', (url) => {
    expect(() => createKalshiClient({ url, signer })).not.toThrow();
    expect(() => createConnectionManager({ url, signer, registry: createMemoryRegistry() })).not.toThrow();
  });

  it('accepts wss:// anywhere, and ws:// elsewhere only with allowInsecureTransport: true', () => {
    expect(() => createKalshiClient({ url: `wss://external-api-ws.kalshi.com${path}`, signer })).not.toThrow();
    expect(() => createKalshiClient({ url: `ws://example.com${path}`, signer, allowInsecureTransport: true })).not.toThrow();
    expect(() =>
      createConnectionManager({ url: `ws://example.com${path}`, signer, registry: createMemoryRegistry(), client: { allowInsecureTransport: true } }),
    ).not.toThrow();
    expect(configErrorOf(() => createKalshiClient({ url: `ws://example.com${path}`, signer, allowInsecureTransport: false })).option).toBe('url');
  });

  it('no source file can turn certificate verification off', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (full.endsWith('.ts')) files.push(full);
      }
    };
    walk(join(root, 'src'));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      // code only: comments may say what is never done
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const needle of ['rejectUnauthorized', 'NODE_TLS_REJECT_UNAUTHORIZED', 'checkServerIdentity', 'secureProtocol']) {
        expect(text.includes(needle), `${needle} in ${file}`).toBe(false);
      }
    }
    // Redirects are not followed either, so signed headers never go to another host.
    expect(readFileSync(join(root, 'src/client/socket-adapter.ts'), 'utf8')).toContain('followRedirects: false');
    // An unknown option that would disable verification is never passed on: it is rejected outright.
    expect(() => createKalshiClient({ url: `wss://127.0.0.1${path}`, signer, ...({ rejectUnauthorized: false } as object) })).toThrow(
      expect.objectContaining({ code: 'KWP_CONFIG', option: 'rejectUnauthorized' }),
    );
  });
});

describe('TLS verification is on', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it.each(['ws', 'native'] as const)('a self-signed certificate is refused (transport %s): connect() rejects with ConnectError and the server never upgrades', async (transport) => {
    const server = createServer({
      key: readFileSync(join(root, 'test/fixtures/tls/self-signed-key.pem')),
      cert: readFileSync(join(root, 'test/fixtures/tls/self-signed-cert.pem')),
    });
    const wss = new WebSocketServer({ server });
    let upgraded = 0;
    wss.on('connection', (socket) => {
      upgraded++;
      socket.close();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () =>
      new Promise<void>((resolve) => {
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
    const { port } = server.address() as AddressInfo;
    const client = createKalshiClient({ url: `wss://127.0.0.1:${port}${path}`, signer, dialTimeoutMs: 5_000, transport });
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectError);
    const causes: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) causes.push(`${(e as { code?: string }).code ?? ''} ${e.message}`);
    expect(causes.join(' | ')).toMatch(/self[- ]signed|DEPTH_ZERO_SELF_SIGNED_CERT|certificate/i);
    expect(upgraded).toBe(0);
    expect(client.state).toBe('closed');
  });
});
