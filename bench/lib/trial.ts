/** Runs one variant in a fresh, pinned client process. */
import type { TrialSpec } from '../client/worker';
import type { BenchContext } from './context';
import type { Json } from './ipc';
import type { BenchChild } from './processes';
import { startChild } from './processes';

/** A prepared client child. */
export interface PreparedTrial {
  readonly child: BenchChild;
  /** Closes the child (always call, in finally). */
  close(): Promise<void>;
}

/** Thrown when a variant cannot run yet (message starts with `skipped:`). */
export function isSkip(error: unknown): error is Error {
  return error instanceof Error && /skipped: /.test(error.message);
}

/** Why, without the `skipped:` prefix and the IPC name. */
export function skipReason(error: Error): string {
  return error.message.replace(/^.*skipped: /, '');
}

/** `all` narrowed to `--variants` (in `all`'s order); `raw` always stays, the ratios are to it. */
export function pickVariants(context: BenchContext, all: readonly TrialSpec['variant'][]): TrialSpec['variant'][] {
  const wanted = context.variants;
  if (wanted === undefined) return [...all];
  return all.filter((variant) => variant === 'raw' || wanted.includes(variant));
}

/** Spawns the worker and sends `prepare(spec)`; the stream may start when this resolves. */
export async function prepareTrial(context: BenchContext, spec: TrialSpec): Promise<PreparedTrial> {
  const child = startChild({
    script: 'client/worker.ts',
    core: context.clientCore,
    name: `client(${spec.variant})`,
    nodeFlags: context.clientFlags,
  });
  const close = async (): Promise<void> => {
    await child.rpc.call('close', null, 5_000).catch(() => undefined);
    await child.stop();
  };
  try {
    await child.rpc.call('prepare', spec as unknown as Json, spec.timeoutMs);
    return { child, close };
  } catch (error) {
    await close();
    throw error;
  }
}
