/**
 * #13: the native transport (`transport: 'native'`) against real servers: the simulator, a bare `ws`
 * server, and a hand-written one that can send any bytes. Where `ws` defines the behaviour, each case runs
 * over both transports and the client-visible outcome (error classes, reasons, close kind and code, the
 * close code the server receives) must be the same.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WebSocket as ServerSocket } from 'ws';
import { AuthError, ConnectError, createKalshiClient, createKalshiSigner } from 'kalshi-ws-pool';
import type { Client, ClientTransport, CloseInfo, KalshiClientOptions, KalshiSigner, ProtocolError } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { resources, stubSigner } from '../../unit/client/mock-kalshi';
import { closeBody, serverFrame } from '../../unit/client/native/server-frames';
import { cleanupAfterEach } from './bare-server';
import { rawUpgradeServer } from './raw-upgrade-server';
import type { RawUpgradeOptions, RawUpgradeServer } from './raw-upgrade-server';

const { startServer, onCleanup } = cleanupAfterEach();
const transports: readonly ClientTransport[] = ['ws', 'native'];

function client(url: string, options: Partial<KalshiClientOptions> = {}): Client {
  const c = createKalshiClient({ url, signer: stubSigner(), transport: 'native', ...options });
  onCleanup(() => c.terminate());
  return c;
}

async function rawServer(options: RawUpgradeOptions = {}): Promise<RawUpgradeServer> {
  const server = await rawUpgradeServer(options);
  onCleanup(() => server.close());
  return server;
}

/** What a client saw of one connection, in a form two transports can be compared on. */
interface Outcome {
  readonly kind: string;
  readonly code: number | undefined;
  readonly errorCode: unknown;
  readonly reasons: string[];
  readonly frames: string[];
}

/** Runs `act` on a connected client of `transport` against a bare `ws` server; returns what the client saw. */
async function overBareServer(
  transport: ClientTransport,
  options: Partial<KalshiClientOptions>,
  act: (socket: ServerSocket) => void,
): Promise<Outcome & { readonly serverCloseCode: number }> {
  const server = await startServer();
  const c = client(server.url, { ...options, transport });
  const frames: string[] = [];
  const reasons: string[] = [];
  c.setFrameSink((data) => frames.push(Buffer.from(data).toString('hex')));
  c.on('protocolError', (e: ProtocolError) => reasons.push(e.reason));
  const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
  await c.connect();
  const socket = await server.socket;
  const serverClosed = new Promise<number>((resolve) => socket.once('close', resolve));
  act(socket);
  const info = await closed;
  const serverCloseCode = await serverClosed;
  await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
  return { kind: info.kind, code: info.code, errorCode: (info.error as { code?: unknown } | undefined)?.code, reasons, frames, serverCloseCode };
}

describe('native transport against the simulator', () => {
  let sim: Simulator;
  let signer: KalshiSigner;

  beforeAll(async () => {
    sim = await startSimulator({ markets: 20, seed: 3, pingIntervalMs: 50, traffic: { orderbookDeltasPerSecond: 4_000 } });
    signer = createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey: sim.credentials!.privateKeyPem });
  });

  afterAll(async () => {
    await sim.close();
  });

  function simClient(options: Partial<KalshiClientOptions> = {}): Client {
    const c = createKalshiClient({ url: sim.url, signer, connectionId: 5, transport: 'native', ...options });
    onCleanup(async () => {
      await c.close();
      sim.faults.clear();
    });
    return c;
  }

  it('connects signed, subscribes, receives frames in seq order, answers commands, and closes cleanly with nothing left', async () => {
    const accepted = sim.stats().handshakesAccepted;
    const c = simClient();
    await c.connect();
    expect(sim.stats().handshakesAccepted).toBe(accepted + 1);
    const seqs: number[] = [];
    const types = new Set<string>();
    c.setFrameSink((_data, _at, scan) => {
      if (scan.type !== undefined) types.add(scan.type);
      if (scan.seq !== undefined) seqs.push(scan.seq);
    });
    const [result] = await c.subscribe(['orderbook_delta'], sim.markets);
    expect(result).toMatchObject({ channel: 'orderbook_delta' });
    await vi.waitFor(() => expect(seqs.length).toBeGreaterThan(2_000), { timeout: 10_000 });
    expect(types).toEqual(new Set(['orderbook_snapshot', 'orderbook_delta']));
    // One sid: its seqs run 1, 2, 3, ... with no gap and no reordering.
    expect(seqs.slice(0, 2_000)).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    expect(await c.listSubscriptions()).toEqual([{ sid: result!.sid, channel: 'orderbook_delta' }]);
    const updated = await c.updateSubscription(result!.sid, 'delete_markets', [sim.markets[0]!]);
    expect(updated).toMatchObject({ sid: result!.sid, action: 'delete_markets' });
    expect(await c.unsubscribe([result!.sid])).toEqual({ sids: [result!.sid] });
    expect(c.stats().errors).toEqual({});

    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    await c.close();
    expect(await closed).toMatchObject({ kind: 'clean', code: 1000, initiatedLocally: true });
    expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 });
    await vi.waitFor(() => expect(sim.connections().filter((x) => x.open)).toHaveLength(0));
  });

  it("sees the simulator's heartbeat pings and stays up (the pong goes back automatically)", async () => {
    const c = simClient({ staleAfterMs: 400 });
    await c.connect();
    const pings: number[] = [];
    c.on('ping', (e) => pings.push(e.at));
    await vi.waitFor(() => expect(pings.length).toBeGreaterThanOrEqual(5), { timeout: 5_000 });
    expect(c.connected).toBe(true);
    expect(c.stats().lastPingAt).toBeGreaterThan(0);
  });

  it('a server close frame ends the link like ws does (code and reason kept)', async () => {
    const seen = new Map<ClientTransport, CloseInfo>();
    for (const transport of transports) {
      const c = simClient({ transport });
      const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
      await c.connect();
      const open = sim.connections().filter((x) => x.open);
      sim.faults.drop({ connection: open.at(-1)!.id }, { mode: 'close', code: 4001, reason: 'maintenance' });
      seen.set(transport, await closed);
      expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 });
    }
    const pick = (i: CloseInfo) => ({ kind: i.kind, code: i.code, reason: i.reason, initiatedLocally: i.initiatedLocally, error: i.error?.name });
    expect(pick(seen.get('native')!)).toEqual(pick(seen.get('ws')!));
    expect(seen.get('native')).toMatchObject({ code: 4001, reason: 'maintenance', initiatedLocally: false });
  });

  it('a silent (half-open) link is declared stale and torn down with nothing left', async () => {
    const c = simClient({ staleAfterMs: 200 });
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    await c.connect();
    sim.faults.silence({ connection: sim.connections().filter((x) => x.open).at(-1)!.id });
    expect(await closed).toMatchObject({ kind: 'stale', initiatedLocally: true });
    await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
  });

  it('an abrupt drop reads as kind error, 1006, like ws', async () => {
    const c = simClient();
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    await c.connect();
    sim.faults.drop({ connection: sim.connections().filter((x) => x.open).at(-1)!.id }, { mode: 'destroy' });
    const info = await closed;
    expect(info).toMatchObject({ kind: 'error', code: 1006, initiatedLocally: false });
    expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 });
  });

  it('a wrong key is an AuthError (401) with the same fields and message as over ws, and no secret in it', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrong = createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey });
    const errors = new Map<ClientTransport, unknown>();
    for (const transport of transports) {
      const c = simClient({ transport, signer: wrong });
      errors.set(transport, await c.connect().catch((e: unknown) => e));
      await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
    }
    const native = errors.get('native') as AuthError;
    expect(native).toBeInstanceOf(AuthError);
    const fields = (e: AuthError) => ({ name: e.name, code: e.code, status: e.status, retryable: e.retryable, message: e.message });
    expect(fields(native)).toEqual(fields(errors.get('ws') as AuthError));
    expect(native).toMatchObject({ status: 401, retryable: false, connectionId: 5 });
    expect(String(native)).not.toContain(sim.credentials!.keyId);
  });

  it.each([403, 429, 500] as const)('a %i handshake gives the same error as over ws', async (status) => {
    const errors = new Map<ClientTransport, ConnectError>();
    for (const transport of transports) {
      sim.faults.rejectHandshakes({ status, count: 1, retryAfterSeconds: 2 });
      errors.set(transport, (await simClient({ transport }).connect().catch((e: unknown) => e)) as ConnectError);
    }
    const fields = (e: ConnectError) => ({ name: e.name, code: e.code, status: e.status, retryable: e.retryable, message: e.message });
    expect(errors.get('native')).toBeInstanceOf(ConnectError);
    expect(fields(errors.get('native')!)).toEqual(fields(errors.get('ws')!));
  });

  it('the simulator\'s malformed frames give the same protocol errors as over ws, and the link survives them', async () => {
    const reasons = new Map<ClientTransport, string[]>();
    for (const transport of transports) {
      const c = simClient({ transport });
      const seen: string[] = [];
      c.on('protocolError', (e) => seen.push(e.reason));
      await c.connect();
      const id = sim.connections().filter((x) => x.open).at(-1)!.id;
      for (const kind of ['not-json', 'truncated', 'binary'] as const) sim.faults.sendMalformed({ connection: id }, kind);
      await vi.waitFor(() => expect(seen).toHaveLength(3));
      expect(c.connected).toBe(true);
      reasons.set(transport, seen);
    }
    expect(reasons.get('native')).toEqual(reasons.get('ws'));
  });
});

describe('native transport: same outcome as ws on bad frames (bare ws server)', () => {
  it('an oversized frame: protocolError oversized, close kind error, server told 1009', async () => {
    const frame = JSON.stringify({ type: 'trade', sid: 1, seq: 1, msg: { pad: 'x'.repeat(2048) } });
    const ws = await overBareServer('ws', { maxPayload: 1024 }, (s) => s.send(frame));
    const native = await overBareServer('native', { maxPayload: 1024 }, (s) => s.send(frame));
    expect(native).toEqual(ws);
    expect(native).toMatchObject({ kind: 'error', errorCode: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', reasons: ['oversized'], frames: [], serverCloseCode: 1009 });
  });

  it('invalid UTF-8: close kind error with a UTF-8 error, server told 1007, nothing delivered', async () => {
    const bad = Buffer.concat([Buffer.from('{"type":"trade","sid":3,"msg":{"t":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    const ws = await overBareServer('ws', {}, (s) => s.send(bad, { binary: false }));
    const native = await overBareServer('native', {}, (s) => s.send(bad, { binary: false }));
    expect(native).toEqual(ws);
    expect(native).toMatchObject({ kind: 'error', errorCode: 'WS_ERR_INVALID_UTF8', reasons: ['invalid-frame'], frames: [], serverCloseCode: 1007 });
  });

  it('invalid UTF-8 with skipUTF8Validation: delivered byte for byte, the link stays up', async () => {
    const server = await startServer();
    const c = client(server.url, { skipUTF8Validation: true });
    const frames: Buffer[] = [];
    c.setFrameSink((data) => frames.push(Buffer.from(data)));
    await c.connect();
    const socket = await server.socket;
    const bad = Buffer.concat([Buffer.from('{"type":"trade","sid":3,"msg":{"t":"'), Buffer.from([0xff]), Buffer.from('"}}')]);
    socket.send(bad, { binary: false });
    socket.send('{"type":"trade","sid":3,"msg":{}}');
    await vi.waitFor(() => expect(frames).toHaveLength(2));
    expect(frames[0]!.equals(bad)).toBe(true);
    expect(c.connected).toBe(true);
    await c.close();
  });

  it('a fragmented message is delivered whole; a binary frame is a protocolError (binary) as over ws', async () => {
    const ws = await overBareServer('ws', {}, (s) => {
      s.send('{"type":"trade",', { fin: false });
      s.send('"sid":1,"msg":{}}', { fin: true });
      s.send(Buffer.from([1, 2]), { binary: true });
      s.close(1000, 'done');
    });
    const native = await overBareServer('native', {}, (s) => {
      s.send('{"type":"trade",', { fin: false });
      s.send('"sid":1,"msg":{}}', { fin: true });
      s.send(Buffer.from([1, 2]), { binary: true });
      s.close(1000, 'done');
    });
    expect(native).toEqual(ws);
    expect(native).toMatchObject({ kind: 'clean', code: 1000, reasons: ['binary'], frames: [Buffer.from('{"type":"trade","sid":1,"msg":{}}').toString('hex')] });
  });
});

describe('native transport: RFC 6455 violations from a hand-written server', () => {
  /** Connects a client of `transport`, writes `bytes` raw after one good frame, returns what both sides saw. */
  async function violation(transport: ClientTransport, bytes: Buffer): Promise<Outcome & { readonly sentClose: number | undefined }> {
    const server = await rawServer();
    const c = client(server.url, { transport, closeTimeoutMs: 2_000 });
    const frames: string[] = [];
    const reasons: string[] = [];
    c.setFrameSink((data) => frames.push(Buffer.from(data).toString()));
    c.on('protocolError', (e) => reasons.push(e.reason));
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    await c.connect();
    const connection = await server.connection;
    connection.socket.write(Buffer.concat([serverFrame(0x1, '{"type":"trade","sid":1,"msg":{}}'), bytes]));
    const info = await closed;
    const close = connection.frames.find((f) => f.opcode === 0x8);
    await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
    return {
      kind: info.kind,
      code: info.code,
      errorCode: (info.error as { code?: unknown } | undefined)?.code,
      reasons,
      frames,
      sentClose: close === undefined ? undefined : close.payload.readUInt16BE(0),
    };
  }

  it.each([
    ['a masked frame', serverFrame(0x1, 'x', { mask: [9, 8, 7, 6] }), 'WS_ERR_UNEXPECTED_MASK', 1002],
    ['RSV1 without an extension', serverFrame(0x1, 'x', { rsv: 0x40 }), 'WS_ERR_UNEXPECTED_RSV_1', 1002],
    ['a reserved opcode', serverFrame(0x5, 'x'), 'WS_ERR_INVALID_OPCODE', 1002],
    ['a stray continuation', serverFrame(0x0, 'x'), 'WS_ERR_INVALID_OPCODE', 1002],
    ['a fragmented ping', serverFrame(0x9, 'x', { fin: false }), 'WS_ERR_EXPECTED_FIN', 1002],
    ['a 1-byte close frame', serverFrame(0x8, Buffer.from([3])), 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002],
    ['close code 1005 on the wire', serverFrame(0x8, closeBody(1005)), 'WS_ERR_INVALID_CLOSE_CODE', 1002],
  ])('%s: the same outcome as ws (error code and close code sent to the server)', async (_name, bytes, errorCode, closeCode) => {
    const ws = await violation('ws', bytes);
    const native = await violation('native', bytes);
    expect(native).toEqual(ws);
    expect(native).toMatchObject({ kind: 'error', errorCode, reasons: ['invalid-frame'], sentClose: closeCode });
    expect(native.frames).toEqual(['{"type":"trade","sid":1,"msg":{}}']);
  });

  it('answers a server ping with a pong carrying the same payload, and a close frame with its code', async () => {
    const server = await rawServer();
    const c = client(server.url);
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    await c.connect();
    const connection = await server.connection;
    connection.socket.write(serverFrame(0x9, 'heartbeat'));
    await vi.waitFor(() => expect(connection.frames.map((f) => f.opcode)).toEqual([0xa]));
    expect(connection.frames[0]).toMatchObject({ fin: true, masked: true });
    expect(connection.frames[0]!.payload.toString()).toBe('heartbeat');
    connection.sendClose(1001, 'bye');
    expect(await closed).toMatchObject({ kind: 'clean', code: 1001, reason: 'bye', initiatedLocally: false });
    const close = connection.frames[1]!;
    expect(close.opcode).toBe(0x8);
    expect(close.payload.readUInt16BE(0)).toBe(1001);
    expect(connection.ended()).toBe(true);
  });

  it('a server that closes but never drops the TCP link: the socket is destroyed after closeTimeoutMs', async () => {
    const server = await rawServer({ linger: true });
    const c = client(server.url, { closeTimeoutMs: 100 });
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    await c.connect();
    const connection = await server.connection;
    const started = Date.now();
    connection.sendClose(4002, 'lingering');
    const info = await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(info).toMatchObject({ kind: 'clean', code: 4002, reason: 'lingering', initiatedLocally: false });
    expect(connection.frames.at(-1)?.opcode).toBe(0x8); // our answer went out before the wait
    expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 });
  });

  it('reads frames that arrive in the same packet as the 101', async () => {
    const first = '{"type":"trade","sid":1,"msg":{"n":1}}';
    const server = await rawServer({ head: Buffer.concat([serverFrame(0x1, first), serverFrame(0x1, '{"type":"trade","sid":1,"msg":{"n":2}}')]) });
    const c = client(server.url);
    const frames: string[] = [];
    c.setFrameSink((data) => frames.push(Buffer.from(data).toString()));
    await c.connect();
    await vi.waitFor(() => expect(frames).toHaveLength(2));
    expect(frames[0]).toBe(first);
    await c.close();
  });

  it.each([
    ['a wrong Sec-WebSocket-Accept', { accept: 'bm90IHRoZSByaWdodCBoYXNo' }],
    ['an extension the client never asked for', { extraHeaders: ['Sec-WebSocket-Extensions: permessage-deflate'] }],
    ['a subprotocol the client never asked for', { extraHeaders: ['Sec-WebSocket-Protocol: chat'] }],
  ] as const)('refuses a 101 with %s: a retryable ConnectError, nothing left open', async (_name, options) => {
    const server = await rawServer(options);
    const c = client(server.url);
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: 'KWP_CONNECT', retryable: true });
    expect(String((error as Error).message)).toMatch(/handshake failed/);
    await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
  });

  it('sends the signed headers and the RFC 6455 handshake headers, and keeps the signature out of inspect()', async () => {
    const server = await rawServer();
    const secret = 'SIGNATURE-VALUE-THAT-MUST-NOT-LEAK';
    const signer: KalshiSigner = {
      headers: () => Promise.resolve({ 'KALSHI-ACCESS-KEY': 'key-id', 'KALSHI-ACCESS-TIMESTAMP': '1', 'KALSHI-ACCESS-SIGNATURE': secret }),
    };
    const c = client(server.url, { signer });
    await c.connect();
    const { headers } = await server.connection;
    expect(headers).toMatchObject({
      'kalshi-access-signature': secret,
      'kalshi-access-key': 'key-id',
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-version': '13',
    });
    expect(Buffer.from(String(headers['sec-websocket-key']), 'base64')).toHaveLength(16);
    expect(headers['sec-websocket-extensions']).toBeUndefined();
    expect(inspect(c, { showHidden: true, depth: 20 })).not.toContain(secret);
    await c.close();
  });
});

describe('native transport: a callback that throws', () => {
  it('a frame sink that throws ends the link with that error instead of escaping the socket callback', async () => {
    const server = await startServer();
    const c = client(server.url);
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    await c.connect();
    c.setFrameSink(() => {
      throw new Error('consumer bug');
    });
    (await server.socket).send('{"type":"trade","sid":1,"msg":{}}');
    const info = await closed;
    expect(info).toMatchObject({ kind: 'error', initiatedLocally: false });
    expect(info.error?.message).toBe('consumer bug');
    await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
  });
});

describe('native transport: dial failures', () => {
  it('nothing listening: a retryable ConnectError, as over ws', async () => {
    const server = await startServer();
    await server.close();
    const errors = new Map<ClientTransport, ConnectError>();
    for (const transport of transports) {
      const c = client(server.url, { transport });
      errors.set(transport, (await c.connect().catch((e: unknown) => e)) as ConnectError);
      await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
    }
    expect(errors.get('native')).toBeInstanceOf(ConnectError);
    expect(errors.get('native')).toMatchObject({ code: 'KWP_CONNECT', retryable: true });
    expect(errors.get('native')!.message).toBe(errors.get('ws')!.message);
  });

  it('a server that never answers the upgrade: the dial times out and nothing is left open', async () => {
    const server = createServer();
    const sockets = new Set<Socket>();
    server.on('upgrade', (_req, socket: Socket) => sockets.add(socket)); // hold the request, never answer
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }));
    const c = client(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/trade-api/ws/v2`, { dialTimeoutMs: 150 });
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ retryable: true, cause: { code: 'ETIMEDOUT' } });
    await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
    // The request was aborted: the server sees its socket closed.
    await vi.waitFor(() => expect([...sockets].every((s) => s.destroyed || s.readableEnded)).toBe(true));
  });

  it('a redirect is not followed: a non-retryable ConnectError with the status', async () => {
    const server = createServer((_req, res) => res.writeHead(302, { Location: 'ws://127.0.0.1:1/elsewhere' }).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
    const c = client(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/trade-api/ws/v2`);
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ status: 302, retryable: false });
    await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
  });
});

describe('native transport: liveness, close and backpressure (bare ws server)', () => {
  it('sends client pings when pingIntervalMs > 0 and sees the pongs', async () => {
    const server = await startServer();
    const c = client(server.url, { pingIntervalMs: 30 });
    await c.connect();
    const pongs: number[] = [];
    c.on('pong', (e) => pongs.push(e.at));
    await vi.waitFor(() => expect(pongs.length).toBeGreaterThanOrEqual(2));
    await c.close();
    expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 });
  });

  it('close() sends a close frame the server sees, and resolves once the server answered', async () => {
    const server = await startServer();
    const c = client(server.url);
    await c.connect();
    const socket = await server.socket;
    const serverSaw = new Promise<[number, string]>((resolve) => socket.once('close', (code, reason) => resolve([code, reason.toString()])));
    let info: CloseInfo | undefined;
    c.on('close', (i) => (info = i));
    await c.close({ code: 4000, reason: 'shutting down' });
    expect(await serverSaw).toEqual([4000, 'shutting down']);
    expect(info).toMatchObject({ kind: 'clean', code: 4000, initiatedLocally: true });
    expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 });
  });

  it('close() terminates after closeTimeoutMs when the peer never answers', async () => {
    const server = await startServer();
    const c = client(server.url, { closeTimeoutMs: 50 });
    await c.connect();
    (await server.socket).pause();
    let info: CloseInfo | undefined;
    c.on('close', (i) => (info = i));
    const started = Date.now();
    await c.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(info).toMatchObject({ kind: 'terminated', initiatedLocally: true });
    await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
  });

  it('pause() really stops reading (the server backs up) and resume() delivers everything in order', async () => {
    const server = await startServer();
    const c = client(server.url);
    await c.connect();
    const socket = await server.socket;
    let count = 0;
    let last = 0;
    let ordered = true;
    c.setFrameSink((_data, _at, scan) => {
      count += 1;
      if (scan.seq !== last + 1) ordered = false;
      last = scan.seq ?? last;
    });
    c.pause();
    const pad = 'p'.repeat(4_000);
    const total = 4_000; // ~16 MB: more than the loopback socket buffers hold
    for (let seq = 1; seq <= total; seq++) socket.send(`{"type":"trade","sid":1,"seq":${seq},"msg":{"pad":"${pad}"}}`);
    // The kernel buffers fill, then the server's own send buffer grows: nobody reads on our side.
    await vi.waitFor(() => expect(socket.bufferedAmount).toBeGreaterThan(1_000_000), { timeout: 10_000 });
    const delivered = count;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(count).toBe(delivered); // nothing more arrives while paused
    expect(count).toBeLessThan(total);
    c.resume();
    await vi.waitFor(() => expect(count).toBe(total), { timeout: 15_000 });
    expect(ordered).toBe(true);
    expect(socket.bufferedAmount).toBe(0);
    await c.close();
  });
});
