import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { startSimulator } from 'kalshi-ws-pool/testing';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/simulator.ts', '--port', '0', '--markets', '5', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('regression: simulator key material (#19)', () => {
  it('the CLI writes its key in a fresh private temp dir (0700 / 0600) and deletes both on SIGTERM', async () => {
    const cli = runCli([]);
    try {
      await expect.poll(cli.output, { timeout: 15_000 }).toMatch(/key file:/);
      const keyFile = /key file:\s+(\S+)/.exec(cli.output())![1]!;
      // Not the old predictable kalshi-ws-pool-sim-<pid>.pem directly in the temp dir.
      expect(dirname(keyFile)).not.toBe(tmpdir());
      expect(keyFile).not.toContain(`kalshi-ws-pool-sim-${cli.child.pid}.pem`);
      expect(statSync(dirname(keyFile)).mode & 0o777).toBe(0o700);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(keyFile, 'utf8')).toContain('PRIVATE KEY');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(existsSync(keyFile)).toBe(false);
      expect(existsSync(dirname(keyFile))).toBe(false);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('--key-out never writes through a symlink planted at that path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kwp-sec-'));
    const target = join(dir, 'victim.txt');
    const link = join(dir, 'key.pem');
    writeFileSync(target, 'untouched');
    symlinkSync(target, link);
    const cli = runCli(['--key-out', link]);
    try {
      const code = await cli.exited;
      expect(code).not.toBe(0);
      expect(readFileSync(target, 'utf8')).toBe('untouched');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('util.inspect, String and JSON of the simulator do not show the generated private key', async () => {
    const sim = await startSimulator({ markets: 5, pingIntervalMs: 0 });
    try {
      const pem = sim.credentials!.privateKeyPem;
      expect(pem).toContain('PRIVATE KEY');
      const body = pem.replace(/-----[A-Z ]+-----|\s/g, '');
      const views = [
        inspect(sim, { depth: Infinity }),
        inspect(sim.credentials, { depth: Infinity }),
        JSON.stringify(sim.credentials),
        String(sim.credentials),
      ].join('\n');
      expect(views).not.toContain('PRIVATE KEY');
      expect(views).not.toContain(body.slice(100, 140));
      expect(views).toContain('[redacted]');
    } finally {
      await sim.close();
    }
  });
});
