import WebSocket from 'ws';
import { afterAll, beforeAll, expect } from 'vitest';
import { WS_SIGN_PATH, createKalshiSigner } from 'kalshi-ws-pool';
import type { KalshiAuthHeaders } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator, SimulatorOptions } from 'kalshi-ws-pool/testing';

/** A parsed frame plus its raw text. */
export interface Frame {
  readonly type: string;
  readonly id?: number;
  readonly sid?: number;
  readonly seq?: number;
  readonly msg?: Record<string, unknown> | unknown[];
  readonly raw: string;
}

/** Signed handshake headers for the simulator's generated key. */
export async function signedHeaders(sim: Simulator, path: string = WS_SIGN_PATH): Promise<KalshiAuthHeaders> {
  const creds = sim.credentials!;
  return createKalshiSigner({ keyId: creds.keyId, privateKey: creds.privateKeyPem }).headers('GET', path);
}

/** A plain `ws` client that records every frame it receives. */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly binary: Buffer[] = [];
  pings = 0;
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      if (isBinary) {
        this.binary.push(buf);
        return;
      }
      const raw = buf.toString('utf8');
      let parsed: Omit<Frame, 'raw'>;
      try {
        parsed = JSON.parse(raw) as Omit<Frame, 'raw'>;
      } catch {
        parsed = { type: '<unparsable>' };
      }
      this.frames.push({ ...parsed, raw });
    });
    ws.on('ping', () => this.pings++);
  }

  /** Send a command; returns its id. */
  send(cmd: string, params?: Record<string, unknown>, id = this.nextId++): number {
    this.ws.send(JSON.stringify(params === undefined ? { id, cmd } : { id, cmd, params }));
    return id;
  }

  /** Frames matching a predicate. */
  where(predicate: (f: Frame) => boolean): Frame[] {
    return this.frames.filter(predicate);
  }

  /** Wait until at least `count` frames match, and return them. */
  async waitFor(predicate: (f: Frame) => boolean, count = 1, timeout = 3000): Promise<Frame[]> {
    await expect.poll(() => this.where(predicate).length, { timeout, interval: 5 }).toBeGreaterThanOrEqual(count);
    return this.where(predicate);
  }

  /** Frames with this command id. */
  replies(id: number): Frame[] {
    return this.where((f) => f.id === id);
  }

  /** Every frame carrying this sid (top-level), in arrival order. */
  onSid(sid: number): Frame[] {
    return this.where((f) => f.sid === sid);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Connect with signed headers and wait for the socket to open. */
export async function connect(sim: Simulator, headers?: Record<string, string>): Promise<TestClient> {
  const ws = new WebSocket(sim.url, { headers: headers ?? { ...(await signedHeaders(sim)) } });
  const client = new TestClient(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake rejected with ${res.statusCode}`)));
  });
  return client;
}

/**
 * One simulator for the whole file: started before all tests (handed to `onStart`, e.g. `(s) => (sim = s)`) and
 * closed after them. Returns `client()`: a connected {@link TestClient} (custom `headers` optional), closed with the simulator.
 */
export function simulatorSuite(options: SimulatorOptions, onStart: (sim: Simulator) => void): (headers?: Record<string, string>) => Promise<TestClient> {
  let sim: Simulator | undefined;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    sim = await startSimulator(options);
    onStart(sim);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await sim?.close();
  });
  return async (headers) => {
    const c = await connect(sim!, headers);
    clients.push(c);
    return c;
  };
}

/** Dial and report the HTTP status of a rejected handshake (101 when it was accepted). */
export async function dialStatus(sim: Simulator, headers: Record<string, string>): Promise<{ status: number; retryAfter: string | undefined }> {
  const ws = new WebSocket(sim.url, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101, retryAfter: undefined });
    });
    ws.once('unexpected-response', (req, res) => {
      const retry = res.headers['retry-after'];
      res.resume();
      req.destroy();
      resolve({ status: res.statusCode ?? 0, retryAfter: typeof retry === 'string' ? retry : undefined });
    });
    ws.once('error', (error) => reject(error));
  });
}

/** Seqs of frames that carry one, in arrival order. */
export function seqs(frames: readonly Frame[]): number[] {
  return frames.filter((f) => f.seq !== undefined).map((f) => f.seq!);
}

/** True when seqs run 1, 2, 3… with no gap or repeat. */
export function contiguousFrom1(values: readonly number[]): boolean {
  return values.every((v, i) => v === i + 1);
}
