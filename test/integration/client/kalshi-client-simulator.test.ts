import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthError, RateLimitedError, createKalshiClient, createKalshiSigner } from 'kalshi-ws-pool';
import type { Client, CloseInfo, KalshiClientOptions, KalshiSigner, ProtocolError } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { resources } from '../../unit/client/mock-kalshi';

let sim: Simulator;
let signer: KalshiSigner;
let clients: Client[] = [];

beforeAll(async () => {
  sim = await startSimulator({ markets: 20, pingIntervalMs: 100 });
  const credentials = sim.credentials!;
  signer = createKalshiSigner({ keyId: credentials.keyId, privateKey: credentials.privateKeyPem });
});

afterEach(async () => {
  sim.faults.clear();
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await vi.waitFor(() => expect(sim.stats().connectionsOpen).toBe(0));
});

afterAll(async () => {
  await sim.close();
});

function client(options: Partial<KalshiClientOptions> = {}): Client {
  const c = createKalshiClient({ url: sim.url, signer, connectionId: 1, ...options });
  clients.push(c);
  return c;
}

async function connected(options: Partial<KalshiClientOptions> = {}): Promise<Client> {
  const c = client(options);
  await c.connect();
  return c;
}

/** The simulator's id of the newest open connection. */
function lastConnection(): number {
  const open = sim.connections().filter((c) => c.open);
  return open[open.length - 1]!.id;
}

describe('KalshiClient against the simulator', () => {
  it('connects with a signed handshake', async () => {
    const before = sim.stats().handshakesAccepted;
    const c = await connected();
    expect(c.connected).toBe(true);
    expect(sim.stats().handshakesAccepted).toBe(before + 1);
  });

  it('rejects a wrong key with AuthError (401)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrong = createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey });
    const error = await client({ signer: wrong }).connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 401, retryable: false, connectionId: 1 });
    expect(String(error)).not.toContain(sim.credentials!.keyId);
  });

  it('classifies 403 and 429 (with Retry-After) handshakes', async () => {
    sim.faults.rejectHandshakes({ status: 403, count: 1 });
    await expect(client().connect()).rejects.toMatchObject({ code: 'KWP_AUTH', status: 403 });
    sim.faults.rejectHandshakes({ status: 429, count: 1, retryAfterSeconds: 7 });
    const error = await client().connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 7000, retryable: true });
    sim.faults.rejectHandshakes({ status: 500, count: 1 });
    await expect(client().connect()).rejects.toMatchObject({ code: 'KWP_CONNECT', status: 500, retryable: true });
  });

  it('round-trips subscribe, add, delete, get_snapshot, list and unsubscribe', async () => {
    const c = await connected();
    const [a, b, d] = sim.markets;
    const frames: { type: string | undefined; id: number | undefined; seq: number | undefined }[] = [];
    c.setFrameSink((_data, _at, env) => frames.push({ type: env.type, id: env.id, seq: env.seq }));
    const opened: number[] = [];
    c.on('subscribed', (e) => opened.push(e.sid));

    const subs = await c.subscribe(['orderbook_delta', 'trade'], [a!, b!]);
    expect(subs.map((s) => s.channel)).toEqual(['orderbook_delta', 'trade']);
    expect(opened).toEqual(subs.map((s) => s.sid));
    const book = subs[0]!.sid;

    const added = await c.updateSubscription(book, 'add_markets', [d!]);
    expect(added).toMatchObject({ sid: book, action: 'add_markets', snapshots: 0 });
    expect(added.seq).toEqual(expect.any(Number));
    const removed = await c.updateSubscription(book, 'delete_markets', [d!]);
    expect(removed.action).toBe('delete_markets');

    const snap = await c.updateSubscription(book, 'get_snapshot', [a!, b!]);
    expect(snap).toMatchObject({ sid: book, action: 'get_snapshot', snapshots: 2 });
    expect(frames.filter((f) => f.type === 'orderbook_snapshot' && f.id !== undefined)).toHaveLength(2);
    // The ok replies with seqs were also handed up as frames.
    expect(frames.filter((f) => f.type === 'ok')).toHaveLength(2);

    const list = await c.listSubscriptions();
    expect(list.map((s) => s.sid).sort()).toEqual(subs.map((s) => s.sid).sort());

    const unsub = await c.unsubscribe([book]);
    expect(unsub.sids).toEqual([book]);
    expect(frames.some((f) => f.type === 'unsubscribed')).toBe(true);
    // one list_subscriptions is the barrier sent behind get_snapshot
    expect(c.stats().commandsAnswered).toMatchObject({ subscribe: 1, update_subscription: 3, list_subscriptions: 2, unsubscribe: 1 });
    expect(c.stats().pendingCommands).toBe(0);
  });

  it('rejects a failed command with CommandRejectedError and times out an ignored one', async () => {
    const c = await connected({ commandTimeoutMs: 100 });
    const conn = lastConnection();
    sim.faults.failCommands({ connection: conn }, 8, { count: 1 });
    await expect(c.subscribe(['trade'])).rejects.toMatchObject({ code: 'KWP_COMMAND_REJECTED', kalshiCode: 8 });
    sim.faults.ignoreCommands({ connection: conn }, 1);
    await expect(c.listSubscriptions()).rejects.toMatchObject({ code: 'KWP_COMMAND_TIMEOUT' });
    sim.faults.delayReplies({ connection: conn }, 200, 1);
    await expect(c.listSubscriptions()).rejects.toMatchObject({ code: 'KWP_COMMAND_TIMEOUT' });
    await vi.waitFor(() => expect(c.stats().errors['late-reply']).toBe(1));
  });

  it('emits an unsolicited sid error as subscriptionError and as a frame', async () => {
    const c = await connected();
    const [sub] = await c.subscribe(['orderbook_delta'], [sim.markets[0]!]);
    const errors: number[] = [];
    c.on('subscriptionError', (e) => errors.push(e.error.kalshiCode));
    sim.faults.sidError({ connection: lastConnection(), sid: sub!.sid }, 25);
    await vi.waitFor(() => expect(errors).toEqual([25]));
  });

  // The simulator does not expose pongs it received; ws-transport.test.ts checks the pong on the server side.
  it('receives the simulator heartbeats, records lastPingAt and stays up', async () => {
    const c = await connected();
    const pings: number[] = [];
    c.on('ping', (e) => pings.push(e.at));
    await vi.waitFor(() => expect(pings.length).toBeGreaterThanOrEqual(2), { timeout: 2000 });
    expect(c.stats().lastPingAt).toBe(pings[pings.length - 1]);
    expect(c.connected).toBe(true);
  });

  it('closes as stale when the link goes silent (half-open)', async () => {
    const c = await connected({ staleAfterMs: 300 });
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    sim.faults.silence({ connection: lastConnection() });
    const info = await closed;
    expect(info).toMatchObject({ kind: 'stale', initiatedLocally: true });
    expect(resources(c).timers).toBe(0);
  });

  it.each([
    ['destroy', 'error'],
    ['close', 'clean'],
  ] as const)('reports a %s drop as close kind %s', async (mode, kind) => {
    const c = await connected();
    const pending = c.listSubscriptions({ timeoutMs: 5000 }).catch((e: unknown) => e);
    sim.faults.ignoreCommands({ connection: lastConnection() }, 1);
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    sim.faults.drop({ connection: lastConnection() }, { mode });
    const info = await closed;
    expect(info.kind).toBe(kind);
    expect(info.initiatedLocally).toBe(false);
    if (mode === 'destroy') expect(info.code).toBe(1006);
    else expect(info.code).toBe(1001);
    expect(await pending).toMatchObject({ code: 'KWP_CLOSED' });
    await vi.waitFor(() => expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 }));
  });

  it('counts malformed frames as protocol errors without closing', async () => {
    const c = await connected();
    const reasons: string[] = [];
    c.on('protocolError', (e: ProtocolError) => reasons.push(e.reason));
    const conn = lastConnection();
    sim.faults.sendMalformed({ connection: conn }, 'not-json');
    sim.faults.sendMalformed({ connection: conn }, 'truncated');
    sim.faults.sendMalformed({ connection: conn }, 'binary');
    const frames: (number | undefined)[] = [];
    c.setFrameSink((_d, _a, env) => frames.push(env.sid));
    sim.faults.sendMalformed({ connection: conn }, 'unknown-sid');
    await vi.waitFor(() => expect(reasons).toHaveLength(3));
    // A frame for a sid we never held is a well-formed data frame: handed up (the manager ignores it).
    await vi.waitFor(() => expect(frames).toHaveLength(1));
    expect(reasons).toEqual(['not-object', 'truncated', 'binary']);
    expect(c.stats().errors['protocol']).toBe(3);
    expect(c.connected).toBe(true);
  });

  it('ends the connection on an oversized frame (protocolError oversized, close kind error)', async () => {
    const c = await connected({ maxPayload: 64 * 1024 });
    const reasons: string[] = [];
    c.on('protocolError', (e) => reasons.push(e.reason));
    const closed = new Promise<CloseInfo>((resolve) => c.once('close', resolve));
    sim.faults.sendMalformed({ connection: lastConnection() }, 'oversized', { bytes: 128 * 1024 });
    expect((await closed).kind).toBe('error');
    expect(reasons).toEqual(['oversized']);
  });

  it('leaves no socket, timer or listener after close()', async () => {
    const c = await connected({ pingIntervalMs: 50 });
    await c.subscribe(['trade']);
    await c.close();
    expect(c.state).toBe('closed');
    expect(resources(c)).toEqual({ timers: 0, socketListeners: 0 });
    await vi.waitFor(() => expect(sim.stats().connectionsOpen).toBe(0));
  });
});
