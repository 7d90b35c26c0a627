/**
 * #13: the native transport (`transport: 'native'`) against real servers: the simulator, a bare `ws`
 * server, and a hand-written one. Bad frames and the handshake checks are in native-transport-frames.test.ts. Where `ws` defines the behaviour, each case runs
 * over both transports and the client-visible outcome (error classes, reasons, close kind and code, the
 * close code the server receives) must be the same.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthError, ConnectError, createKalshiClient, createKalshiSigner } from 'kalshi-ws-pool';
import type { Client, ClientTransport, CloseInfo, KalshiClientOptions, KalshiSigner } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { resources } from '../../unit/client/mock-kalshi';
import { cleanupAfterEach } from './bare-server';
import { nativeTestKit, transports } from './native-kit';

const cleanup = cleanupAfterEach();
const { startServer, onCleanup } = cleanup;
const { client } = nativeTestKit(cleanup);

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
