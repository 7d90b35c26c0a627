// Users on `moduleResolution: "node"` (node10) never read `exports`; `typesVersions` is how they get the
// subpaths' types. It must list every subpath of `exports`, pointing at the same declaration file.
// (scripts/package-proof.mjs compiles a consumer of every subpath under node10 against the packed tarball.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface PackageJson {
  readonly types: string;
  readonly exports: Record<string, string | { readonly import: { readonly types: string } }>;
  readonly typesVersions?: Record<string, Record<string, readonly string[]>>;
}
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as PackageJson;

describe('package.json typesVersions', () => {
  it('maps every exports subpath to its import-condition declaration file', () => {
    const subpaths = Object.entries(pkg.exports).filter(([key, value]) => key !== '.' && typeof value !== 'string');
    expect(subpaths.length).toBeGreaterThanOrEqual(5);
    const expected = Object.fromEntries(subpaths.map(([key, value]) => [key.slice(2), [(value as { import: { types: string } }).import.types]]));
    expect(pkg.typesVersions).toEqual({ '*': expected });
  });

  it('does not remap the root entry (node10 keeps `types`)', () => {
    expect(Object.keys(pkg.typesVersions?.['*'] ?? {})).not.toContain('*');
    expect(pkg.types).toBe('./dist/index.d.ts');
  });
});
