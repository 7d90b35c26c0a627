import { afterEach, describe, expect, it } from 'vitest';
import { killExamples, runExample } from './run-example';

afterEach(async () => {
  await killExamples();
});

describe('examples/user-data.ts', () => {
  it('delivers every fill (two via backfill), deactivates the revoked account and reactivates it on re-key', async () => {
    const run = runExample('user-data.ts', []);
    expect(await run.exited).toBe(0);
    const out = run.stdout();
    expect(out).toContain('deactivated bob: unauthorized');
    expect(out).toContain('reactivated bob');
    expect(out).toMatch(/fills delivered \{ alice: 5, bob: 1 \} backfilled 2/);
  });
});
