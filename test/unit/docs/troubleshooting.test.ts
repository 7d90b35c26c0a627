// docs/troubleshooting.md must keep up with src/errors.ts: every KWP_* code gets a section saying what it
// means and what to do, and every error class points readers there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from 'kalshi-ws-pool';

const read = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const errorsSource = read('src/errors.ts');
const doc = read('docs/troubleshooting.md');

/** Every `KWP_*` code src/errors.ts defines: the exported `ErrorCode` values and any literal in the file. */
function definedCodes(): string[] {
  const literals = [...errorsSource.matchAll(/'(KWP_[A-Z0-9_]+)'/g)].map((m) => m[1]!);
  return [...new Set([...Object.values(ErrorCode), ...literals])].sort();
}

/** The doc's sections keyed by every `KWP_*` code named in their heading, with the body up to the next heading. */
function sectionsByCode(markdown: string): Map<string, string> {
  const sections = new Map<string, string>();
  const lines = markdown.split('\n');
  lines.forEach((line, at) => {
    if (!/^#{2,4} /.test(line)) return;
    const end = lines.findIndex((next, i) => i > at && /^#{1,4} /.test(next));
    const body = lines.slice(at + 1, end === -1 ? undefined : end).join('\n');
    for (const [code] of line.matchAll(/KWP_[A-Z0-9_]+/g)) sections.set(code, body);
  });
  return sections;
}

describe('docs/troubleshooting.md', () => {
  it('has a section for every KWP_* code in src/errors.ts, each saying what it means and what to do', () => {
    const codes = definedCodes();
    expect(codes.length).toBeGreaterThanOrEqual(13);
    const sections = sectionsByCode(doc);
    const missing = codes.filter((code) => !sections.has(code));
    expect(missing, 'add a "### `KWP_…`" section to docs/troubleshooting.md').toEqual([]);
    for (const code of codes) {
      const body = sections.get(code)!;
      expect(body, code).toMatch(/\*\*Means:\*\*/);
      expect(body, code).toMatch(/\*\*Do:\*\*/);
    }
  });

  it('covers the failures that carry no code of their own', () => {
    const headings = doc.split('\n').filter((line) => line.startsWith('#'));
    for (const topic of ['start()', 'ready()', 'HTTP 401', 'HTTP 403', 'HTTP 404', 'HTTP 429', 'ECONNREFUSED', 'ENOTFOUND', 'dial timeout', 'error 26', 'stale link', 'degraded pool', 'paused']) {
      expect(headings.some((h) => h.includes(topic)), topic).toBe(true);
    }
  });

  it('has no broken in-page links', () => {
    const anchors = new Set(
      doc
        .split('\n')
        .filter((line) => /^#{1,4} /.test(line))
        .map((line) => line.replace(/^#+ /, '').toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-')),
    );
    const links = [...doc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(10);
    expect(links.filter((link) => !anchors.has(link))).toEqual([]);
  });

  it('is linked from docs/errors.md, the README and the JSDoc of every error class in src/errors.ts', () => {
    expect(read('docs/errors.md')).toContain('(troubleshooting.md)');
    expect(read('README.md')).toContain('(docs/troubleshooting.md)');
    const classes = [...errorsSource.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)\s*export class (\w+) extends/g)];
    expect(classes.length).toBeGreaterThanOrEqual(12);
    const withoutSee = classes.filter(([, jsdoc]) => !jsdoc!.includes('@see docs/troubleshooting.md')).map(([, , name]) => name);
    expect(withoutSee).toEqual([]);
  });
});
