/**
 * #19: the default `maxPayload` (4 MiB) admits every real Kalshi frame with headroom and ends the connection
 * on anything larger. Frames: every line of the captured fixture, the largest legitimate shapes Kalshi can
 * send (docs/security.md "Byte budgets"), and the simulator's own snapshots at full depth.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ProtocolError, createKalshiClient, createKalshiSigner, kalshiClientDefaults } from 'kalshi-ws-pool';
import type { Client, CloseInfo } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { stubSigner } from '../../unit/client/mock-kalshi';
import { cleanupAfterEach } from './bare-server';

const LIMIT = kalshiClientDefaults.maxPayload;
const fixture = readFileSync(new URL('../../fixtures/kalshi-frames.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l !== '');

/** One side of `levels` sub-penny levels with 15-character sizes: the widest a side can be written. */
function side(levels: number): string {
  return `[${Array.from({ length: levels }, (_, i) => `["0.${String(9999 - i).padStart(4, '0')}","999999999999.99"]`).join(',')}]`;
}

/** Largest orderbook_snapshot: 128-character ticker, every one of the 9,999 four-decimal prices on both sides. */
function widestSnapshot(): string {
  const msg = `{"market_ticker":"${'K'.repeat(128)}","market_id":"ef793c45-beed-4096-8a3a-1c70af894be7","yes_dollars_fp":${side(9_999)},"no_dollars_fp":${side(9_999)}}`;
  return `{"type":"orderbook_snapshot","sid":4294967295,"seq":9007199254740991,"msg":${msg}}`;
}

/** Largest `ok` to update_subscription: the whole list of a full sid (7,500 markets, the pool's default) of 128-character tickers. */
function widestUpdateReply(): string {
  const tickers = Array.from({ length: 7_500 }, (_, i) => `"${String(i).padStart(128, 'K')}"`).join(',');
  return `{"id":2147483647,"sid":4294967295,"seq":9007199254740991,"type":"ok","msg":{"market_tickers":[${tickers}]}}`;
}

/** A text frame of exactly `bytes` bytes that scans as a data frame. */
function frameOf(bytes: number): string {
  const start = '{"type":"trade","sid":3,"msg":{"pad":"';
  const end = '"}}';
  return start + 'x'.repeat(bytes - start.length - end.length) + end;
}

const { startServer, onCleanup } = cleanupAfterEach();

function track(c: Client): Client {
  onCleanup(() => c.terminate());
  return c;
}

describe('default maxPayload (#19)', () => {
  it('is 4 MiB, with room for the largest legitimate frames', () => {
    expect(LIMIT).toBe(4 * 1024 * 1024);
    const largest = Math.max(...fixture.map((l) => Buffer.byteLength(l)), Buffer.byteLength(widestSnapshot()), Buffer.byteLength(widestUpdateReply()));
    expect(largest).toBeLessThan(LIMIT / 4);
  });

  it('passes every fixture frame and the widest snapshot/ok shapes, and ends the link on LIMIT + 1 bytes with ProtocolError oversized', async () => {
    const server = await startServer();
    const client = track(createKalshiClient({ url: server.url, signer: stubSigner(), connectionId: 9 }));
    const sizes: number[] = [];
    const errors: ProtocolError[] = [];
    client.setFrameSink((data) => sizes.push(data.byteLength));
    client.on('protocolError', (e) => errors.push(e));
    const closed = new Promise<CloseInfo>((resolve) => client.once('close', resolve));
    await client.connect();
    const socket = await server.socket;
    const legit = [...fixture, widestSnapshot(), widestUpdateReply(), frameOf(LIMIT)];
    for (const frame of legit) socket.send(frame);
    const marker = '{"type":"trade","sid":3,"msg":{"market_ticker":"MARKER"}}';
    socket.send(marker);
    await vi.waitFor(() => expect(sizes.at(-1)).toBe(Buffer.byteLength(marker)), { timeout: 10_000 });
    expect(errors.filter((e) => e.reason === 'oversized')).toEqual([]);
    expect(client.connected).toBe(true);
    expect(Math.max(...sizes)).toBe(LIMIT); // the frame of exactly the limit arrived whole

    socket.send(frameOf(LIMIT + 1));
    const info = await closed;
    expect(info.kind).toBe('error');
    const oversized = errors.filter((e) => e.reason === 'oversized');
    expect(oversized).toHaveLength(1);
    expect(oversized[0]).toBeInstanceOf(ProtocolError);
    expect(oversized[0]!.code).toBe('KWP_PROTOCOL');
  });

  it("passes the simulator's snapshots at full depth (8 levels a side after heavy delta traffic)", async () => {
    const sim: Simulator = await startSimulator({
      markets: 20,
      seed: 7,
      traffic: { orderbookDeltasPerSecond: 20_000 },
    });
    onCleanup(() => sim.close());
    const credentials = sim.credentials!;
    const client = track(
      createKalshiClient({ url: sim.url, signer: createKalshiSigner({ keyId: credentials.keyId, privateKey: credentials.privateKeyPem }) }),
    );
    let largest = 0;
    let snapshots = 0;
    let deltas = 0;
    const oversized: ProtocolError[] = [];
    client.setFrameSink((data, _at, scan) => {
      if (scan.type === 'orderbook_snapshot') {
        snapshots++;
        largest = Math.max(largest, data.byteLength);
      } else if (scan.type === 'orderbook_delta') deltas++;
    });
    client.on('protocolError', (e) => {
      if (e.reason === 'oversized') oversized.push(e);
    });
    await client.connect();
    const [result] = await client.subscribe(['orderbook_delta'], sim.markets);
    await vi.waitFor(() => expect(deltas).toBeGreaterThan(5_000), { timeout: 15_000 });
    await client.updateSubscription(result!.sid, 'get_snapshot', sim.markets);
    await vi.waitFor(() => expect(snapshots).toBe(40), { timeout: 10_000 });
    expect(oversized).toEqual([]);
    // The simulator keeps at most 8 levels a side: its snapshots stay far under the limit (610 bytes at most).
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(1_024);
    await client.close();
  });
});
