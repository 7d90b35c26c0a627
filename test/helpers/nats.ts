/**
 * Real nats-server for tests: found on PATH (or NATS_URL for an external server). Without either the NATS
 * test files skip with one line saying how to enable them; with CI=true a missing server fails instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOW = 'NATS tests skipped: install nats-server (apt-get install nats-server) or set NATS_URL';

function findBinary(): string | undefined {
  for (const candidate of ['nats-server', '/usr/sbin/nats-server', '/usr/local/bin/nats-server']) {
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  return undefined;
}

/** The nats-server binary, when installed. */
export const natsBinary = findBinary();
/** An external server to use instead of spawning one (the restart test needs the binary). */
export const externalUrl = process.env['NATS_URL'];
/** True when the NATS tests cannot run here. */
export const natsMissing = natsBinary === undefined && externalUrl === undefined;

let warned = false;
/** Call at the top of a NATS test file: prints the one skip line, or throws under CI. */
export function announceNatsSkip(): void {
  if (!natsMissing) return;
  if (process.env['CI'] === 'true') throw new Error('CI=true but no nats-server on PATH and no NATS_URL: the NATS tests must run in CI');
  if (!warned) console.warn(HOW);
  warned = true;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A nats-server child process on 127.0.0.1 with JetStream in a fresh temp dir. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  /** Kill the process (SIGKILL: like a crash) and wait for it to exit. */
  kill(): Promise<void>;
  /** Start it again on the same port and store dir. */
  restart(): Promise<void>;
  /** Kill it and remove the store dir. */
  stop(): Promise<void>;
}

/** Spawn a server (or wrap NATS_URL, where kill/restart throw). Bounded: fails after 10 s. */
export async function startNatsServer(): Promise<NatsServer> {
  if (natsBinary === undefined) {
    if (externalUrl === undefined) throw new Error(HOW);
    const url = externalUrl;
    const fail = (): Promise<void> => Promise.reject(new Error('kill/restart need a local nats-server binary'));
    return { url, port: Number(new URL(url).port), kill: fail, restart: fail, stop: async () => undefined };
  }
  const binary = natsBinary;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kwp-nats-'));
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await accepting(port))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`nats-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
