import { once } from 'node:events';
import { ConfigError } from '../../errors';
import { MAX_PAD_BYTES } from './publisher';
import type { Publisher } from './publisher';
import type { SimSession } from './session';

/** Options of `simulator.blast`. */
export interface BlastOptions {
  /** Delta frames to send on each orderbook sid. */
  readonly frames: number;
  /**
   * Which connections to blast.
   * @default 'all'
   */
  readonly connections?: 'all' | readonly number[];
  /**
   * Pad each frame (with a `"pad"` member in `msg`) to exactly this many bytes (at most 65,536).
   * Frames are never shrunk below their natural size (about 230 bytes, like real deltas).
   */
  readonly frameBytes?: number;
  /** Stops the blast early; the promise then resolves with what was sent. */
  readonly signal?: AbortSignal;
}

/** What a blast sent. */
export interface BlastResult {
  /** Frames written to sockets. */
  readonly framesSent: number;
  /** Wall time of the blast, in ms. */
  readonly durationMs: number;
  /** `framesSent / duration`. */
  readonly framesPerSecond: number;
}


// Frames per sid per round (one corked write batch).
const CHUNK = 256;

async function blastSession(session: SimSession, publisher: Publisher, frames: number, highWater: number, signal: AbortSignal | undefined): Promise<number> {
  const subs = [...session.subs.values()].filter((s) => s.channel === 'orderbook_delta' && s.markets.size > 0);
  const remaining = subs.map(() => frames);
  let sent = 0;
  let left = frames * subs.length;
  let sinceYield = 0;
  while (left > 0 && session.writable && signal?.aborted !== true) {
    // Batch the writes of one round into a single writev.
    session.socket.cork();
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      let chunk = Math.min(remaining[i]!, CHUNK);
      remaining[i]! -= chunk;
      left -= chunk;
      for (; chunk > 0 && sub.open; chunk--) {
        const market = sub.nextMarket();
        if (market !== undefined) sent += publisher.delta(market);
      }
      sinceYield += CHUNK;
    }
    session.socket.uncork();
    if (session.ws.bufferedAmount > highWater) {
      // Backpressure: wait until the socket drained (or closed).
      const ac = new AbortController();
      try {
        await Promise.race([once(session.socket, 'drain', { signal: ac.signal }), once(session.socket, 'close', { signal: ac.signal })]);
      } catch {
        // aborted wait: fine
      } finally {
        ac.abort();
      }
      sinceYield = 0;
    } else if (sinceYield >= 4096) {
      // Let the other connections' loops (and the client side) run.
      await new Promise<void>((resolve) => setImmediate(resolve));
      sinceYield = 0;
    }
  }
  return sent;
}

/**
 * Send `frames` orderbook deltas on every orderbook sid of the chosen connections as fast as the
 * sockets take them. Memory stays bounded: a connection waits for `drain` whenever its buffered
 * bytes pass a high-water mark below the error-25 limit.
 */
export async function blast(
  sessions: readonly SimSession[],
  publisher: Publisher,
  maxBufferedBytes: number,
  options: BlastOptions,
): Promise<BlastResult> {
  if (typeof options.frames !== 'number' || !Number.isInteger(options.frames) || options.frames < 0) {
    throw new ConfigError('frames', `must be an integer >= 0, got ${String(options.frames)}`);
  }
  const started = performance.now();
  if (options.frameBytes !== undefined && (typeof options.frameBytes !== 'number' || !(options.frameBytes >= 0))) {
    throw new ConfigError('frameBytes', `must be a number >= 0, got ${String(options.frameBytes)}`);
  }
  const previousPad = publisher.padTo;
  publisher.padTo = Math.min(options.frameBytes ?? 0, MAX_PAD_BYTES);
  const highWater = Math.max(64 * 1024, Math.min(4 * 1024 * 1024, maxBufferedBytes / 4));
  publisher.clock.refresh();
  let sent: number[];
  try {
    sent = await Promise.all(sessions.map((s) => blastSession(s, publisher, options.frames, highWater, options.signal)));
  } finally {
    publisher.padTo = previousPad;
  }
  const framesSent = sent.reduce((a, b) => a + b, 0);
  const durationMs = performance.now() - started;
  return { framesSent, durationMs, framesPerSecond: durationMs > 0 ? (framesSent * 1000) / durationMs : 0 };
}
