import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface RunningExample {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  /** SIGKILL if still running. */
  kill(): void;
}

const running = new Set<RunningExample>();

/** The repository root (the examples' working directory). */
export const repoRoot = root;

/** Runs `examples/<name>` with `node --import tsx` (tsx resolves the package name through tsconfig paths). */
export function runExample(name: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000): RunningExample {
  return runScript(`examples/${name}`, args, env, timeoutMs);
}

/** Runs any TypeScript file of the repo (path relative to its root) like {@link runExample}, SIGKILLed after `timeoutMs`. */
export function runScript(path: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000): RunningExample {
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<number | string>((resolveExit) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolveExit(code ?? signal ?? 'unknown');
    });
  });
  const example: RunningExample = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  running.add(example);
  void exited.then(() => running.delete(example));
  return example;
}

/** Kill every example still running (call in afterEach) and wait for them to exit. */
export async function killExamples(): Promise<void> {
  const all = [...running];
  for (const example of all) example.kill();
  await Promise.all(all.map((e) => e.exited));
}

/** An environment without any Kalshi credentials. */
export function envWithoutCredentials(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('KALSHI_')));
}
