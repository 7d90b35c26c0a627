/**
 * A standalone `ws` firehose: every connected client gets orderbook_delta frames (its orderbook sid,
 * seq continuing after its snapshots) as fast as TCP backpressure allows (`blast`), or at a fixed
 * total rate (`pace`). It answers the subscribe/update commands (bench/lib/firehose-protocol.ts), so
 * the SDK's manager can read the very same stream as the raw baselines.
 *
 * Why raw frames: `ws` does the handshake, but the data frames are pre-encoded (unmasked server
 * frames, many per 64 KiB write) straight onto the request's socket, so one server core can out-send
 * any single-core client and the numbers measure the client, not this server.
 */
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { deltaFrame, preciseNowMs } from './lib/frames';
import type { ProtocolPeer } from './lib/firehose-protocol';
import { answer, protocolPeer } from './lib/firehose-protocol';

const CHUNK_BYTES = 64 * 1024;
const MAX_FRAME = 1024;
/** Caps one connection's paced write per tick, so a stalled loop catches up gradually. */
const PACE_MAX_PER_TICK = 200;

interface Peer extends ProtocolPeer {
  readonly socket: Socket;
  open: boolean;
}

/** A running firehose. */
export interface Firehose {
  /** `ws://127.0.0.1:<port>/trade-api/ws/v2`. */
  readonly url: string;
  /** Connected clients now. */
  connections(): number;
  /** Sends `frames` deltas to every connected client as fast as possible; resolves when all are written. */
  blast(frames: number): Promise<{ sent: number; ms: number }>;
  /** Sends `ratePerSecond` frames in total (spread over clients), stamped with send time, for `durationMs`. */
  pace(ratePerSecond: number, durationMs: number): Promise<{ sent: number }>;
  /** Terminates every client connection. */
  reset(): void;
  close(): Promise<void>;
}

function writeFrame(chunk: Buffer, offset: number, text: string): number {
  const length = text.length; // ASCII only
  chunk[offset] = 0x81; // FIN + text
  if (length < 126) {
    chunk[offset + 1] = length;
    chunk.write(text, offset + 2, 'latin1');
    return offset + 2 + length;
  }
  chunk[offset + 1] = 126;
  chunk.writeUInt16BE(length, offset + 2);
  chunk.write(text, offset + 4, 'latin1');
  return offset + 4 + length;
}

function waitDrain(peer: Peer): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      peer.socket.off('drain', done);
      peer.socket.off('close', done);
      resolve();
    };
    peer.socket.on('drain', done);
    peer.socket.on('close', done);
  });
}

async function pump(peer: Peer, frames: number): Promise<number> {
  let remaining = frames;
  let sent = 0;
  while (remaining > 0 && peer.open) {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let offset = 0;
    const ts = Date.now();
    while (remaining > 0 && offset + MAX_FRAME < CHUNK_BYTES) {
      offset = writeFrame(chunk, offset, deltaFrame(peer.orderbookSid || 1, ++peer.seq, ts));
      remaining--;
      sent++;
    }
    if (!peer.socket.write(chunk.subarray(0, offset))) await waitDrain(peer);
  }
  return sent;
}

/**
 * Starts the firehose on 127.0.0.1 (port 0 unless given).
 * @example
 * const hose = await startFirehose();
 * await hose.blast(100_000);
 */
export async function startFirehose(port = 0): Promise<Firehose> {
  const peers = new Set<Peer>();
  const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, path: '/trade-api/ws/v2' });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('connection', (ws, request) => {
    const peer: Peer = { ...protocolPeer(), socket: request.socket, open: true };
    request.socket.setNoDelay(true);
    peers.add(peer);
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => {
      for (const frame of answer(peer, data.toString())) ws.send(frame);
    });
    ws.once('close', () => {
      peer.open = false;
      peers.delete(peer);
    });
  });
  const address = wss.address();
  if (typeof address !== 'object' || address === null) throw new Error('firehose: no address');
  const url = `ws://127.0.0.1:${address.port}/trade-api/ws/v2`;

  return {
    url,
    connections: () => peers.size,
    async blast(frames) {
      const started = performance.now();
      const counts = await Promise.all([...peers].map((peer) => pump(peer, frames)));
      return { sent: counts.reduce((a, b) => a + b, 0), ms: performance.now() - started };
    },
    async pace(ratePerSecond, durationMs) {
      const list = [...peers];
      const started = performance.now();
      let sent = 0;
      let turn = 0;
      while (performance.now() - started < durationMs && list.some((peer) => peer.open)) {
        const due = Math.floor(((performance.now() - started) / 1000) * ratePerSecond) - sent;
        if (due > 0) {
          // Spread the due frames round-robin, one write per connection per tick, each frame stamped at send.
          const base = Math.floor(due / list.length);
          const extra = due % list.length;
          for (let i = 0; i < list.length; i++) {
            const peer = list[(turn + i) % list.length]!;
            const count = Math.min(PACE_MAX_PER_TICK, base + (i < extra ? 1 : 0));
            if (count === 0 || !peer.open) continue;
            const chunk = Buffer.allocUnsafe(count * 256);
            let offset = 0;
            for (let n = 0; n < count; n++) {
              offset = writeFrame(chunk, offset, deltaFrame(peer.orderbookSid || 1, ++peer.seq, Math.round(preciseNowMs() * 1000) / 1000));
            }
            peer.socket.write(chunk.subarray(0, offset));
            sent += count;
          }
          turn++;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return { sent };
    },
    reset() {
      for (const peer of peers) peer.socket.destroy();
      peers.clear();
      for (const client of wss.clients) client.terminate();
    },
    close() {
      for (const peer of peers) peer.socket.destroy();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
