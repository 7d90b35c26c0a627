/**
 * The baseline consumers, each a function `(connection, data)` called for every frame:
 * `raw` only counts, `json` does `JSON.parse` and a seq check, `scan` runs the SDK's byte scanner
 * (`scanEnvelope`) and the same seq check. The sink (count or latency) is the same for all.
 */
import { createEnvelopeScan, scanEnvelope as sdkScan } from 'kalshi-ws-pool/protocol';
import type { EnvelopeScan } from 'kalshi-ws-pool/protocol';

/** A baseline variant name. */
export type RawVariant = 'raw' | 'json' | 'scan';

/** Called once per consumed frame with its bytes. */
export type Sink = (data: Uint8Array) => void;

/** Called by a socket's message listener. */
export type Consume = (connection: number, data: Buffer) => void;

type ScanFn = (bytes: Uint8Array, into?: EnvelopeScan) => EnvelopeScan;

/** The SDK's scanner, from the lower-level `kalshi-ws-pool/protocol` entry point. */
export function loadScanner(): Promise<ScanFn | undefined> {
  return Promise.resolve(sdkScan);
}

interface Parsed {
  readonly sid?: unknown;
  readonly seq?: unknown;
}

/** Builds the consumer of `variant`; `gaps()` reports seq gaps seen (should be 0). */
export async function makeConsumer(
  variant: RawVariant,
  connections: number,
  sink: Sink,
): Promise<{ consume: Consume; gaps: () => number }> {
  const lastSeq = new Array<number>(connections).fill(0);
  let gaps = 0;
  const check = (connection: number, seq: number): void => {
    const last = lastSeq[connection]!;
    if (last !== 0 && seq !== last + 1) gaps++;
    lastSeq[connection] = seq;
  };
  if (variant === 'raw') {
    return { consume: (_connection, data) => sink(data), gaps: () => gaps };
  }
  if (variant === 'json') {
    return {
      consume: (connection, data) => {
        const parsed = JSON.parse(data.toString()) as Parsed;
        if (typeof parsed.seq === 'number' && typeof parsed.sid === 'number') check(connection, parsed.seq);
        sink(data);
      },
      gaps: () => gaps,
    };
  }
  const scanEnvelope = await loadScanner();
  if (scanEnvelope === undefined) throw new Error('skipped: scanEnvelope is not exported by kalshi-ws-pool yet');
  const scan = createEnvelopeScan();
  return {
    consume: (connection, data) => {
      scanEnvelope(data, scan);
      if (scan.seq !== undefined && scan.sid !== undefined) check(connection, scan.seq);
      sink(data);
    },
    gaps: () => gaps,
  };
}
