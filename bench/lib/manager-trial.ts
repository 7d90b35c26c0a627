/** Shared setup of the SDK scenarios: simulator in the server process, manager in a client process. */
import type { ManagerSpec } from '../client/manager-worker';
import { loadSdk } from '../client/sdk-variant';
import type { BenchContext } from './context';
import type { Json } from './ipc';
import type { BenchChild } from './processes';
import { startChild } from './processes';

/** Why the SDK scenarios cannot run here, or undefined when they can. */
export async function sdkUnavailable(context: BenchContext): Promise<string | undefined> {
  if (context.simUnavailable !== undefined) return context.simUnavailable;
  const sdk = await loadSdk();
  return sdk.ok ? undefined : sdk.why;
}

/** What `start` reported. */
export interface StartReport {
  readonly startMs: number;
  readonly readyMs: number;
  readonly snapshots: number;
  readonly placed: number;
  readonly commandsSent: number;
  readonly commandsFailed: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly rss: number;
  readonly gcExposed: boolean;
}

/** A running manager child. */
export interface ManagerTrial {
  readonly child: BenchChild;
  readonly report: StartReport;
  close(): Promise<void>;
}

/** Starts the simulator with `markets` bench tickers (in the server process). */
export async function startSim(context: BenchContext, markets: number, pingIntervalMs = 10_000): Promise<string> {
  const { url } = await context.server.rpc.call<{ url: string }>(
    'sim.start',
    { markets, publicKeyPem: context.auth.publicKeyPem, pingIntervalMs },
    120_000,
  );
  return url;
}

/** Spawns a manager worker (with --expose-gc) and starts it; resolves once every snapshot arrived. */
export async function startManagerTrial(
  context: BenchContext,
  spec: Omit<ManagerSpec, 'auth'>,
): Promise<ManagerTrial> {
  const child = startChild({
    script: 'client/manager-worker.ts',
    core: context.clientCore,
    name: 'manager',
    nodeFlags: ['--expose-gc', '--max-old-space-size=4096', ...context.clientFlags],
  });
  const close = async (): Promise<void> => {
    await child.rpc.call('stop', null, 20_000).catch(() => undefined);
    await child.stop();
  };
  try {
    const report = await child.rpc.call<StartReport & Record<string, number | boolean>>(
      'start',
      { ...spec, auth: context.auth } as unknown as Json,
      spec.timeoutMs + 10_000,
    );
    return { child, report, close };
  } catch (error) {
    await close();
    throw error;
  }
}
