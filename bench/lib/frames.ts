/**
 * The benchmark's orderbook_delta frame: the shape of a real capture (see
 * test/fixtures/kalshi-frames.jsonl) trimmed of the `market_id`/`ts` strings so one frame is ~160 bytes,
 * which is what the baseline numbers were measured with.
 */

const PREFIX_A = '{"type":"orderbook_delta","sid":';
const PREFIX_B = ',"seq":';
const BODY = ',"msg":{"market_ticker":"KXATPMATCH-26AUG19FARMUS-MUS","price_dollars":"0.1200","delta_fp":"-4444.00","side":"yes","ts_ms":';
const SUFFIX = '}}';

/** The frame text for `sid`/`seq`, stamped with `tsMs` (may be fractional for µs latency). */
export function deltaFrame(sid: number, seq: number, tsMs: number): string {
  return PREFIX_A + sid + PREFIX_B + seq + BODY + tsMs + SUFFIX;
}

const TS_KEY = [0x22, 0x74, 0x73, 0x5f, 0x6d, 0x73, 0x22, 0x3a]; // "ts_ms":

/**
 * Reads the `ts_ms` number of a delta frame without parsing it: searches backwards for `"ts_ms":`
 * (it is the last field of the bench frame) and reads digits and one decimal point. NaN if absent.
 * Every latency variant uses this same function so the extraction cost is identical.
 */
export function readTsMs(bytes: Uint8Array): number {
  const key = TS_KEY.length;
  for (let i = bytes.length - key; i >= 0; i--) {
    let match = true;
    for (let k = 0; k < key; k++) {
      if (bytes[i + k] !== TS_KEY[k]) {
        match = false;
        break;
      }
    }
    if (!match) continue;
    let value = 0;
    let scale = 0;
    for (let j = i + key; j < bytes.length; j++) {
      const c = bytes[j]!;
      if (c >= 0x30 && c <= 0x39) {
        value = value * 10 + (c - 0x30);
        if (scale > 0) scale *= 10;
      } else if (c === 0x2e && scale === 0) {
        scale = 1;
      } else {
        break;
      }
    }
    return scale > 0 ? value / scale : value;
  }
  return Number.NaN;
}

/** Wall-clock time with sub-millisecond precision (ms since the epoch), comparable across processes. */
export function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}
