/**
 * Deduplication of the redundant pairs (two ticker, two trade, two lifecycle connections).
 *
 * Why this structure: both connections of a pair carry the same `msg` payload but different sids and
 * seqs, so messages are matched by payload bytes only. The bytes are hashed in place with two
 * independent 32-bit hashes (FNV-1a and a multiply-rotate hash) folded into one 53-bit safe-integer
 * Map key, and the payload length is compared too; no string is built. Entries live in fixed-size
 * typed-array rings (key, length, connection, unmatched count), so memory is bounded: the oldest entry
 * is evicted when the ring wraps. Each payload is expected at most twice per pair, so a match removes
 * the entry; a repeat from the same connection only counts up, so legitimate repeats pair up exactly.
 * @internal
 */
import { ConfigError } from '../errors';

/** 2^21: the second hash contributes 21 bits, the first 32, for a 53-bit key. */
const LOW_BITS = 2_097_152;
const LOW_MASK = LOW_BITS - 1;

/**
 * A bounded window of recently seen payloads, answering "was this already delivered by the other
 * connection of the pair?".
 * @internal
 * @example
 * const window = new DedupeWindow(65_536);
 * if (!window.isDuplicate(frame, scan.msgStart, scan.msgEnd, connectionId)) deliver(frame);
 */
export class DedupeWindow {
  readonly #capacity: number;
  readonly #index = new Map<number, number>(); // key -> ring slot
  readonly #keys: Float64Array;
  readonly #lengths: Int32Array;
  readonly #connections: Float64Array;
  readonly #counts: Int32Array; // unmatched copies in the slot; 0 = slot empty
  #cursor = 0;

  /**
   * @param capacity - how many distinct unmatched payloads are remembered (e.g. 65,536).
   * @throws {ConfigError} when capacity is not an integer >= 1.
   */
  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new ConfigError('dedupe.capacity', `must be an integer >= 1, got ${String(capacity)}`);
    }
    this.#capacity = capacity;
    this.#keys = new Float64Array(capacity);
    this.#lengths = new Int32Array(capacity);
    this.#connections = new Float64Array(capacity);
    this.#counts = new Int32Array(capacity);
  }

  /** Unmatched payloads remembered now (at most the capacity). */
  get size(): number {
    return this.#index.size;
  }

  /**
   * Record `bytes[start, end)` seen on `connectionId`.
   * @returns true when the same payload was seen from a different connection and not yet matched (drop
   * this copy); false when it is new or a repeat from the same connection (deliver it).
   */
  isDuplicate(bytes: Uint8Array, start: number, end: number, connectionId: number): boolean {
    const length = end - start;
    // Two independent hashes in one pass. FNV-1a, and a multiply + rotate hash seeded with the length.
    let h1 = 0x811c9dc5;
    let h2 = length ^ 0x9e3779b9;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      h1 = Math.imul(h1 ^ byte, 0x01000193);
      h2 = Math.imul(h2 ^ byte, 0x5bd1e995);
      h2 = (h2 << 13) | (h2 >>> 19);
    }
    h1 = finalize(h1);
    h2 = finalize(h2);
    const key = (h1 >>> 0) * LOW_BITS + ((h2 >>> 0) & LOW_MASK);

    const slot = this.#index.get(key);
    if (slot !== undefined && this.#lengths[slot] === length) {
      if (this.#connections[slot] === connectionId) {
        this.#counts[slot]!++;
        return false;
      }
      if (--this.#counts[slot]! === 0) this.#index.delete(key);
      return true;
    }
    this.#record(key, length, connectionId);
    return false;
  }

  #record(key: number, length: number, connectionId: number): void {
    const slot = this.#cursor;
    this.#cursor = slot + 1 === this.#capacity ? 0 : slot + 1;
    // Evict the slot's previous payload if it is still unmatched.
    if (this.#counts[slot] !== 0 && this.#index.get(this.#keys[slot]!) === slot) {
      this.#index.delete(this.#keys[slot]!);
    }
    this.#keys[slot] = key;
    this.#lengths[slot] = length;
    this.#connections[slot] = connectionId;
    this.#counts[slot] = 1;
    this.#index.set(key, slot);
  }
}

/** Murmur3-style avalanche so every input bit reaches every output bit. */
function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
