import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket as ServerSocket } from 'ws';
import { AuthError, ConnectError, RateLimitedError, createKalshiClient } from 'kalshi-ws-pool';
import type { Client, CloseInfo, KalshiClientOptions, ProtocolError } from 'kalshi-ws-pool';
import { resources, stubSigner } from '../../unit/client/mock-kalshi';

/** A bare `ws` server on 127.0.0.1:0 (transport behaviour independent of the simulator). */
interface Bare {
  readonly url: string;
  readonly sockets: ServerSocket[];
  readonly headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

let servers: Bare[] = [];
let clients: Client[] = [];

async function bare(reject?: { status: number; headers?: Record<string, string> }): Promise<Bare> {
  const headers: IncomingHttpHeaders[] = [];
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (info, done) => {
      headers.push(info.req.headers);
      if (reject === undefined) done(true);
      else done(false, reject.status, 'no', reject.headers);
    },
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const sockets: ServerSocket[] = [];
  wss.on('connection', (socket) => sockets.push(socket));
  const { port } = wss.address() as AddressInfo;
  const server: Bare = {
    url: `ws://127.0.0.1:${port}/trade-api/ws/v2?x=1`,
    sockets,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of wss.clients) s.terminate();
        wss.close(() => resolve());
      }),
  };
  servers.push(server);
  return server;
}

function client(url: string, options: Partial<KalshiClientOptions> = {}): Client {
  const c = createKalshiClient({ url, signer: stubSigner(), ...options });
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients) c.terminate();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

describe('KalshiClient over ws (bare server)', () => {
  it('sends fresh signed headers on the handshake', async () => {
    const server = await bare();
    const c = client(server.url);
    await c.connect();
    expect(server.headers[0]?.['kalshi-access-key']).toBe('key');
    expect(server.headers[0]?.['kalshi-access-signature']).toBe('sig');
    expect(server.headers[0]?.['kalshi-access-timestamp']).toBe('1');
    await c.close();
  });

  it.each([
    [401, AuthError, 'KWP_AUTH'],
    [403, AuthError, 'KWP_AUTH'],
    [503, ConnectError, 'KWP_CONNECT'],
  ] as const)('classifies HTTP %s', async (status, type, code) => {
    const server = await bare({ status });
    const error = await client(server.url).connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, status });
    expect(String((error as Error).message)).not.toContain('sig');
  });

  it('classifies 429 with Retry-After', async () => {
    const server = await bare({ status: 429, headers: { 'Retry-After': '3' } });
    const c = client(server.url);
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 3000, retryable: true });
    await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
  });

  it('rejects with a retryable ConnectError when nothing listens', async () => {
    const server = await bare();
    await server.close();
    const error = await client(server.url).connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KWP_CONNECT', retryable: true });
  });

  it('reports an abrupt destroy as kind error (1006, no close frame)', async () => {
    const server = await bare();
    const c = client(server.url);
    await c.connect();
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    server.sockets[0]?.terminate();
    const info = await closed;
    expect(info).toMatchObject({ kind: 'error', code: 1006, initiatedLocally: false });
    expect(info.error).toBeInstanceOf(Error);
    expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 });
  });

  it('ends the connection on an oversized frame with a protocolError and close kind error', async () => {
    const server = await bare();
    const c = client(server.url, { maxPayload: 1024 });
    await c.connect();
    const errors: ProtocolError[] = [];
    c.on('protocolError', (e) => errors.push(e));
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    server.sockets[0]?.send(JSON.stringify({ type: 'trade', sid: 1, seq: 1, msg: { pad: 'x'.repeat(2048) } }));
    const info = await closed;
    expect(errors.map((e) => e.reason)).toEqual(['oversized']);
    expect(info.kind).toBe('error');
    expect(info.error).toMatchObject({ code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' });
  });

  it('passes frame bytes through untouched (a Buffer, no copy needed) and answers server pings', async () => {
    const server = await bare();
    const c = client(server.url);
    await c.connect();
    const frames: Uint8Array[] = [];
    c.setFrameSink((data) => frames.push(data));
    const pings: number[] = [];
    c.on('ping', (e) => pings.push(e.at));
    const pongs: Buffer[] = [];
    server.sockets[0]?.on('pong', (data) => pongs.push(data));
    const text = '{"msg":{"market_ticker":"A","rules":"a \\"sid\\": 9"},"seq":3,"sid":1,"type":"orderbook_delta"}';
    server.sockets[0]?.send(text);
    server.sockets[0]?.ping('heartbeat');
    await vi.waitFor(() => expect(pongs).toHaveLength(1));
    expect(pongs[0]?.toString()).toBe('heartbeat');
    expect(pings).toHaveLength(1);
    expect(Buffer.from(frames[0]!).toString()).toBe(text);
    expect(c.stats().lastPingAt).toBeGreaterThan(0);
    await c.close();
  });

  it('sends client pings when pingIntervalMs > 0 and emits pong', async () => {
    const server = await bare();
    const c = client(server.url, { pingIntervalMs: 30 });
    await c.connect();
    const pongs: number[] = [];
    c.on('pong', (e) => pongs.push(e.at));
    await vi.waitFor(() => expect(pongs.length).toBeGreaterThanOrEqual(2));
    await c.close();
    expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 });
  });

  it('close() is graceful and terminates after closeTimeoutMs when the peer never answers', async () => {
    const server = await bare();
    const c = client(server.url, { closeTimeoutMs: 50 });
    await c.connect();
    // Stop the server side from reading, so our close frame is never answered.
    server.sockets[0]?.pause();
    const started = Date.now();
    let info: CloseInfo | undefined;
    c.on('close', (i) => (info = i));
    await c.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(info).toMatchObject({ kind: 'terminated', initiatedLocally: true });
    await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
  });

  it('pause() stops reading and resume() continues', async () => {
    const server = await bare();
    const c = client(server.url);
    await c.connect();
    let count = 0;
    c.setFrameSink(() => (count += 1));
    c.pause();
    server.sockets[0]?.send('{"type":"trade","sid":1,"seq":1,"msg":{}}');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(count).toBe(0);
    c.resume();
    await vi.waitFor(() => expect(count).toBe(1));
    await c.close();
  });
});
