// Lints the packed tarball: publint (package.json/exports correctness) and attw (types resolve per condition).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: 'inherit', ...opts });
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const installHooks = ['preinstall', 'install', 'postinstall', 'prepare'].filter((k) => pkg.scripts?.[k]);
if (installHooks.length > 0) throw new Error(`install scripts are not allowed: ${installHooks.join(', ')}`);
const dir = mkdtempSync(join(tmpdir(), 'kwp-pack-'));
try {
  run('npm', ['pack', '--silent', '--pack-destination', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')));
  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  const stray = listing.filter((f) => !/^package\/(dist\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/.test(f));
  if (stray.length > 0) throw new Error(`unexpected files in tarball: ${stray.join(', ')}`);
  console.log(`tarball: ${listing.length} files, ${(statSync(tarball).size / 1024).toFixed(1)} KiB packed`);
  run('npx', ['publint', '--strict', '--pack', 'false']);
  run('npx', ['attw', tarball, '--profile', 'node16']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
