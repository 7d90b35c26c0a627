/**
 * Record every RawMessage as one JSON line `{connectionId, receivedAt, seqGap, gapSize, frame}` (the
 * frame's own JSON, unparsed) to size-rotated files: rec.jsonl, rec.1.jsonl, rec.2.jsonl, …
 * Runs against the local simulator; swap in your url, signer and registry for Kalshi.
 *
 *   node --import tsx examples/record-jsonl.ts --out rec.jsonl --max-bytes 100000000 --seconds 30
 *
 * Without `--out` it writes `recording.jsonl` into a fresh directory under the OS temp directory (never
 * into the current directory) and prints where, before and after.
 *
 * Backpressure: when the disk is slower than the stream, the loop waits for `drain`, the pool's queue
 * fills and (default policy `pause`) the sockets stop being read; nothing is dropped locally.
 */
import { once } from 'node:events';
import { createWriteStream, mkdtempSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnectionManager, createKalshiSigner, createMemoryRegistry } from 'kalshi-ws-pool';
import { startSimulator } from 'kalshi-ws-pool/testing';

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
};
const out = process.argv.includes('--out') ? arg('out', '') : join(mkdtempSync(join(tmpdir(), 'kalshi-ws-pool-recording-')), 'recording.jsonl');
if (out === '') {
  console.error('--out takes a file path');
  process.exit(2);
}
const maxBytes = Number(arg('max-bytes', String(100 * 1024 * 1024)));
const seconds = Number(arg('seconds', '10'));

const sim = await startSimulator({ markets: 500, traffic: { orderbookDeltasPerSecond: 1_000, tradesPerSecond: 100, tickersPerSecond: 100 } });
const manager = createConnectionManager({
  url: sim.url,
  signer: createKalshiSigner({ keyId: sim.credentials!.keyId, privateKey: sim.credentials!.privateKeyPem }),
  registry: createMemoryRegistry(sim.markets),
  layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook: 4 },
});

const files: string[] = [];
let stream: WriteStream;
let written = 0;
const open = (): void => {
  const name = files.length === 0 ? out : out.replace(/(\.jsonl)?$/, `.${files.length}$1`);
  files.push(name);
  stream = createWriteStream(name);
  written = 0;
};
const close = (s: WriteStream): Promise<void> => new Promise((resolve, reject) => s.end((error?: Error | null) => (error ? reject(error) : resolve())));

open();
console.log(`recording to ${out} (rotated at ${maxBytes} bytes)`);
await manager.start();
const stopTimer = setTimeout(() => void manager.stop(), seconds * 1_000);
process.once('SIGINT', () => void manager.stop());

const decoder = new TextDecoder();
let lines = 0;
for await (const m of manager) {
  const raw = decoder.decode(m.data);
  // Frames are compact JSON; re-encode the rare one with a raw line break so each record stays one line.
  const frame = raw.includes('\n') ? JSON.stringify(JSON.parse(raw)) : raw;
  const line = `{"connectionId":${m.connectionId},"receivedAt":${m.receivedAt},"seqGap":${m.seqGap},"gapSize":${m.gapSize},"frame":${frame}}\n`;
  if (written > 0 && written + Buffer.byteLength(line) > maxBytes) {
    await close(stream!);
    open();
  }
  written += Buffer.byteLength(line);
  lines++;
  if (!stream!.write(line)) await once(stream!, 'drain');
}
clearTimeout(stopTimer);
await close(stream!); // flush what is buffered
await sim.close();
console.log(`recorded ${lines} messages into ${files.length} file(s): ${files.join(', ')}`);
