/**
 * #13: the native transport on bad frames and bad handshakes. Where `ws` defines the behaviour, each case
 * runs over both transports and the client-visible outcome (error classes, reasons, close kind and code,
 * the close code the server receives) must be the same.
 */
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket as ServerSocket } from 'ws';
import { ConnectError } from 'kalshi-ws-pool';
import type { ClientTransport, CloseInfo, KalshiClientOptions, KalshiSigner, ProtocolError } from 'kalshi-ws-pool';
import { resources } from '../../unit/client/mock-kalshi';
import { closeBody, serverFrame } from '../../unit/client/native/server-frames';
import { cleanupAfterEach } from './bare-server';
import { nativeTestKit } from './native-kit';

const cleanup = cleanupAfterEach();
const { startServer } = cleanup;
const { client, rawServer } = nativeTestKit(cleanup);

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

