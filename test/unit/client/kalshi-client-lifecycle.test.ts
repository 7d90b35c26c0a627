import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClosedError, ProtocolError, StateError, createKalshiClient, systemClock } from 'kalshi-ws-pool';
import type { CloseInfo } from 'kalshi-ws-pool';
import { mockKalshi, resources, stubSigner } from './mock-kalshi';
import type { MockKalshi } from './mock-kalshi';

let mock: MockKalshi | undefined;

afterEach(() => {
  mock?.stop();
  mock = undefined;
  vi.useRealTimers();
});

describe('KalshiClient lifecycle (mock-socket)', () => {
  it('signs once per connect and goes idle -> connecting -> open', async () => {
    const signer = stubSigner();
    mock = mockKalshi({ signer });
    expect(mock.client.state).toBe('idle');
    const connecting = mock.client.connect();
    expect(mock.client.state).toBe('connecting');
    await connecting;
    expect(mock.client.state).toBe('open');
    expect(mock.client.connected).toBe(true);
    expect(signer.calls).toBe(1);
    await expect(mock.client.connect()).rejects.toBeInstanceOf(StateError);
  });

  it('turns malformed frames into protocolError events and counts them, never throwing', async () => {
    mock = mockKalshi();
    await mock.client.connect();
    const reasons: string[] = [];
    mock.client.on('protocolError', (e) => {
      expect(e).toBeInstanceOf(ProtocolError);
      reasons.push(e.reason);
    });
    const frames: number[] = [];
    mock.client.setFrameSink((data) => frames.push(data.byteLength));
    mock.send('not json');
    mock.send('{"type":"orderbook_delta","sid":1,"seq":');
    mock.send(new Uint8Array([1, 2, 3]).buffer);
    mock.send({ id: 5, type: 'subscribed', msg: { channel: 'trade' } });
    mock.send({ type: 'trade', sid: 1, seq: 1, msg: {} });
    expect(reasons).toEqual(['not-object', 'truncated', 'binary', 'malformed-reply']);
    expect(frames).toHaveLength(1);
    expect(mock.client.stats().errors['protocol']).toBe(4);
    expect(mock.client.stats().messagesReceived).toBe(5);
    expect(mock.client.connected).toBe(true);
  });

  it('rejects the pending command a malformed reply names', async () => {
    mock = mockKalshi();
    await mock.client.connect();
    const sub = mock.client.subscribe(['trade']);
    await mock.waitForCommands(1);
    mock.send({ id: 1, type: 'subscribed', msg: { channel: 'trade' } });
    await expect(sub).rejects.toMatchObject({ code: 'KWP_PROTOCOL', reason: 'malformed-reply' });
  });

  it('closes as stale after staleAfterMs of silence, and not while frames keep arriving', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    mock = mockKalshi({ staleAfterMs: 1000, clock: systemClock });
    const connecting = mock.client.connect();
    await vi.advanceTimersByTimeAsync(10);
    await connecting;
    const closes: CloseInfo[] = [];
    mock.client.on('close', (info) => closes.push(info));
    const pending = mock.client.listSubscriptions({ timeoutMs: 60_000 }).catch((e: unknown) => e);
    // Frames every 400 ms for 3 s: never stale.
    for (let i = 0; i < 8; i += 1) {
      mock.send({ type: 'ticker', sid: 1, msg: {} });
      await vi.advanceTimersByTimeAsync(400);
    }
    expect(closes).toEqual([]);
    // Silent for 400 ms now; stale between 1x and 1.25x staleAfterMs after the last frame.
    await vi.advanceTimersByTimeAsync(590);
    expect(closes).toEqual([]);
    await vi.advanceTimersByTimeAsync(260);
    expect(closes).toHaveLength(1);
    expect(closes[0]).toMatchObject({ kind: 'stale', initiatedLocally: true });
    expect(await pending).toBeInstanceOf(ClosedError);
    expect(mock.client.stats().errors['stale']).toBe(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(resources(mock.client)).toEqual({ timers: 0, socketListeners: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('terminate() closes at once with kind terminated, exactly once', async () => {
    mock = mockKalshi();
    await mock.client.connect();
    const closes: CloseInfo[] = [];
    mock.client.on('close', (info) => closes.push(info));
    const pending = mock.client.listSubscriptions();
    mock.client.terminate();
    mock.client.terminate();
    expect(mock.client.state).toBe('closed');
    expect(closes.map((c) => c.kind)).toEqual(['terminated']);
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    await mock.client.close();
    await vi.waitFor(() => expect(resources(mock!.client).socketListeners).toBe(0));
  });

  it('close() while connecting rejects connect with ClosedError and emits no close event', async () => {
    mock = mockKalshi();
    const closes: CloseInfo[] = [];
    mock.client.on('close', (info) => closes.push(info));
    const connecting = mock.client.connect();
    const closing = mock.client.close();
    await expect(connecting).rejects.toBeInstanceOf(ClosedError);
    await closing;
    expect(mock.client.state).toBe('closed');
    expect(closes).toEqual([]);
    expect(resources(mock.client).timers).toBe(0);
  });

  it('connect rejects with the signal reason on abort and with ConnectError on dial timeout', async () => {
    const controller = new AbortController();
    const slow = { headers: () => new Promise<never>(() => undefined) };
    const url = 'ws://127.0.0.1:9/trade-api/ws/v2';
    const aborted = createKalshiClient({ url, signer: slow });
    const a = aborted.connect(controller.signal);
    controller.abort(new Error('user abort'));
    await expect(a).rejects.toThrow('user abort');
    expect(aborted.state).toBe('closed');

    const timed = createKalshiClient({ url, signer: slow, dialTimeoutMs: 20 });
    await expect(timed.connect()).rejects.toMatchObject({ code: 'KWP_CONNECT', retryable: true });
    expect(resources(timed).timers).toBe(0);
  });

  it('pause() and resume() are safe on a socket without them', async () => {
    mock = mockKalshi();
    mock.client.pause();
    await mock.client.connect();
    mock.client.pause();
    mock.client.resume();
    mock.client.resume();
    expect(mock.client.connected).toBe(true);
  });

  it('reports a peer close as clean with its code and reason', async () => {
    mock = mockKalshi();
    await mock.client.connect();
    const closed = new Promise<CloseInfo>((resolve) => mock!.client.once('close', resolve));
    mock.socket().close({ code: 4001, reason: 'going away', wasClean: true });
    await expect(closed).resolves.toMatchObject({ kind: 'clean', code: 4001, reason: 'going away', initiatedLocally: false });
  });
});
