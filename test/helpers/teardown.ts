/**
 * Fixtures that clean up after themselves: a helper that starts something (a simulator, a pool, a rig)
 * hands it to `closeAfterTest`, and a test file that calls `closeAfterEach()` once gets every such thing
 * closed after each test, newest first, whether the test passed or not. `close()` must be idempotent:
 * a test may close what it started itself.
 */
import { afterEach } from 'vitest';

/** Anything a test starts and must stop. */
export interface Closable {
  close(): Promise<void> | void;
}

const open: Closable[] = [];

/** Remember `value` so the `closeAfterEach` hook closes it; returns it. */
export function closeAfterTest<T extends Closable>(value: T): T {
  open.push(value);
  return value;
}

/** Remember something with `stop()` (a manager) so the `closeAfterEach` hook stops it; returns it. */
export function stopAfterTest<T extends { stop(): Promise<void> }>(value: T): T {
  closeAfterTest({ close: () => value.stop() });
  return value;
}

/** Close everything remembered so far, newest first; every one is closed even if one throws (the first error is rethrown). */
export async function closeAll(): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const value of open.splice(0).reverse()) {
    try {
      await value.close();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
}

/** Call once at the top of a test file: after each test, close what was started, then run `afterClose` (extra checks). */
export function closeAfterEach(afterClose?: () => void): void {
  afterEach(async () => {
    await closeAll();
    afterClose?.();
  });
}
