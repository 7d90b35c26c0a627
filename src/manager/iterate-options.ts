/**
 * Options of `manager.messages()` and `manager.batches()`: an `AbortSignal` that ends the loop without
 * stopping the manager (docs/backpressure.md "One consumer").
 * @internal
 */
import { ConfigError } from '../errors';
import { readOptions } from '../internal/validate';

/** Options of `manager.messages()`. */
export interface IterateOptions {
  /**
   * Aborting it ends this iteration as if the loop had broken out: a waiting `next()` resolves `done`, the
   * queue keeps what it holds, and a new consumer may start. The manager keeps running.
   * @default undefined
   */
  readonly signal?: AbortSignal;
}

/** Options of `manager.batches()`. */
export interface BatchOptions extends IterateOptions {
  /** Largest array yielded (integer >= 1). @default 512 */
  readonly maxBatch?: number;
}

function readSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new ConfigError('signal', 'must be an AbortSignal');
  return value;
}

/** @throws {ConfigError} on an unknown key or a `signal` that is not an AbortSignal. @internal */
export function readIterateOptions(options: IterateOptions | undefined): { readonly signal: AbortSignal | undefined } {
  const bag = readOptions(options, '', ['signal']);
  return { signal: readSignal(bag['signal']) };
}

/** Accepts the old `batches(maxBatch)` form and `batches({ maxBatch, signal })`. @internal */
export function readBatchOptions(value: number | BatchOptions | undefined): {
  readonly maxBatch: number | undefined;
  readonly signal: AbortSignal | undefined;
} {
  if (typeof value === 'number') return { maxBatch: value, signal: undefined };
  const bag = readOptions(value, '', ['maxBatch', 'signal']);
  const maxBatch = bag['maxBatch'];
  if (maxBatch !== undefined && typeof maxBatch !== 'number') {
    throw new ConfigError('maxBatch', `must be an integer >= 1, got ${typeof maxBatch}`);
  }
  return { maxBatch, signal: readSignal(bag['signal']) };
}
