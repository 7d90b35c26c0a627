/**
 * Starts the bench's child processes (`node --import tsx <file>`), pinned to one core with
 * `taskset` when it exists, and makes sure every child dies with the orchestrator.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type RpcPeer, rpcPeer } from './ipc';

/** Repository root (children run there so tsx finds tsconfig.json and its `paths`). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const children = new Set<ChildProcess>();

let tasksetChecked: boolean | undefined;

/** Whether `taskset` (util-linux) is usable here, and the machine has at least 2 cores. */
export function hasTaskset(cores: number): boolean {
  if (tasksetChecked === undefined) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      tasksetChecked = cores >= 2;
    } catch {
      tasksetChecked = false;
    }
  }
  return tasksetChecked;
}

/** A running child with its RPC handle. */
export interface BenchChild {
  readonly process: ChildProcess;
  readonly rpc: RpcPeer;
  /** Kill it (SIGKILL after a short grace) and wait for its exit. */
  stop(): Promise<void>;
}

/** Options of {@link startChild}. */
export interface ChildOptions {
  /** Script path relative to bench/, e.g. `server.ts`. */
  readonly script: string;
  /** Core to pin to, or undefined for no pinning. */
  readonly core: number | undefined;
  /** Extra node flags, e.g. `--expose-gc`. */
  readonly nodeFlags?: readonly string[];
  /** Name used in error messages. */
  readonly name: string;
}

/** Spawns a bench child with an IPC channel; stdout/stderr are inherited. */
export function startChild(options: ChildOptions): BenchChild {
  const script = fileURLToPath(new URL(`../${options.script}`, import.meta.url));
  const nodeArgs = [...(options.nodeFlags ?? []), '--import', 'tsx', script];
  const [command, args] =
    options.core === undefined
      ? [process.execPath, nodeArgs]
      : ['taskset', ['-c', String(options.core), process.execPath, ...nodeArgs]];
  const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => children.delete(child));
  return {
    process: child,
    rpc: rpcPeer(child, options.name),
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(grace);
    },
  };
}

/** Registers a process spawned elsewhere (e.g. nats-server) so {@link killAllChildren} ends it too. */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Kills every child still running (synchronous: safe in `exit` handlers). */
export function killAllChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
