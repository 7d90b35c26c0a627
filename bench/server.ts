/**
 * Server child process: hosts the bench firehose (bench/firehose-server.ts) and, when it exists,
 * the SDK's simulator, controlled by the orchestrator over IPC. Runs pinned to its own core.
 */
import type { Json } from './lib/ipc';
import { serveRpc } from './lib/ipc';
import type { Firehose } from './firehose-server';
import { startFirehose } from './firehose-server';
import { simHandlers, stopSim } from './sim-host';

let firehose: Firehose | undefined;

function requireFirehose(): Firehose {
  if (firehose === undefined) throw new Error('firehose not started');
  return firehose;
}

/** Runs `work` and adds this process's CPU time (ms) and the wall time it took. */
async function timed<T extends Record<string, Json>>(work: () => Promise<T>): Promise<Json> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { ...result, serverCpuMs: (used.user + used.system) / 1000, serverWallMs: performance.now() - started };
}

async function shutdown(): Promise<never> {
  await firehose?.close();
  await stopSim();
  process.exit(0);
}

serveRpc(
  {
    'firehose.start': async () => {
      firehose ??= await startFirehose();
      return { url: firehose.url };
    },
    'firehose.connections': () => requireFirehose().connections(),
    'firehose.blast': (params) => {
      const { frames } = params as { frames: number };
      return timed(() => requireFirehose().blast(frames));
    },
    'firehose.pace': (params) => {
      const { rate, durationMs } = params as { rate: number; durationMs: number };
      return timed(() => requireFirehose().pace(rate, durationMs));
    },
    'firehose.reset': () => {
      firehose?.reset();
      return null;
    },
    ...simHandlers(timed),
    shutdown: () => {
      setImmediate(() => void shutdown());
      return null;
    },
  },
  () => void shutdown(),
);
process.on('SIGTERM', () => void shutdown());
