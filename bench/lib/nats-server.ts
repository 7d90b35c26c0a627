/**
 * A nats-server for the `nats` scenario: the binary from PATH (or /usr/sbin, /usr/local/bin) started on a
 * free 127.0.0.1 port (chosen by the server) with JetStream in a fresh temp dir, or the server at NATS_URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { trackChild } from './processes';

/** The one line printed when the scenario cannot run. */
export const NATS_SKIP_LINE = 'nats: skipped: no nats-server on PATH and NATS_URL unset (apt-get install nats-server, or set NATS_URL)';

/** A running server; `stop()` kills what was spawned and removes its store dir (idempotent). */
export interface BenchNats {
  readonly url: string;
  /** `spawned nats-server <version>` or `NATS_URL`. */
  readonly description: string;
  stop(): Promise<void>;
}

/** The nats-server binary: PATH first, then the usual sbin locations (Debian installs to /usr/sbin). */
export function findNatsBinary(): { path: string; version: string } | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const dir of [...dirs, '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']) {
    const path = join(dir, 'nats-server');
    const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 5_000 });
    if (run.status === 0) return { path, version: run.stdout.trim() };
  }
  return undefined;
}

/** The client URL nats-server wrote to `<dir>/nats-server_<pid>.ports` once it listens (undefined before). */
function portsFileUrl(dir: string, pid: number): string | undefined {
  try {
    const ports = JSON.parse(readFileSync(join(dir, `nats-server_${pid}.ports`), 'utf8')) as { nats?: string[] };
    return ports.nats?.[0];
  } catch {
    return undefined; // not written yet, or half-written
  }
}

/**
 * NATS_URL when set; otherwise a spawned server (bounded: fails after 15 s).
 * @returns undefined when neither is available (print {@link NATS_SKIP_LINE}).
 */
export async function startBenchNats(): Promise<BenchNats | undefined> {
  const external = process.env['NATS_URL'];
  if (external !== undefined && external !== '') return { url: external, description: 'NATS_URL', stop: async () => undefined };
  const binary = findNatsBinary();
  if (binary === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kwp-bench-nats-'));
  // `-p -1`: the server takes a free port itself (no probe-then-bind race) and reports it in its ports file.
  const child = spawn(binary.path, ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', dir, '--ports_file_dir', dir], { stdio: 'ignore' });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  trackChild(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while ((url = child.pid === undefined ? undefined : portsFileUrl(dir, child.pid)) === undefined) {
    if (Date.now() > deadline || child.exitCode !== null || spawnError !== undefined) {
      await stop();
      throw new Error(`nats-server did not start on 127.0.0.1 within 15 s${spawnError === undefined ? '' : `: ${spawnError.message}`}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, description: `spawned ${binary.version}`, stop };
}
