// @ts-check
/**
 * StrykerJS mutation testing of the core (`npm run test:mutation`). See docs/testing.md ("Mutation
 * testing") for the scope, the run times measured and the surviving mutants accepted as equivalent.
 *
 * The machine this runs on is usually shared: keep `concurrency` low and mutate one file group at a
 * time, e.g. `npm run test:mutation -- --mutate src/manager/seq-tracker.ts`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: {
    configFile: 'vitest.stryker.config.ts',
    // Only the test files that import a mutated file run for it.
    related: true,
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutate: [
    // Wire code: envelope scanner, command builders, reply classification, error codes, signing.
    'src/protocol/kalshi/**/*.ts',
    // Sequence tracking, output queue, dedupe window, rate limiter.
    'src/manager/seq-tracker.ts',
    'src/manager/output-queue.ts',
    'src/manager/dedupe-window.ts',
    'src/manager/rate-limiter.ts',
    // Placement: the market-to-slot table and its one owner of changes.
    'src/manager/placement.ts',
    'src/manager/market-placer.ts',
    // Gap repair (get_snapshot per sid).
    'src/manager/repair.ts',
    // Command handling: the one command sequence, batched orderbook commands, role subscriptions,
    // timed commands.
    'src/manager/command-runner.ts',
    'src/manager/book-sync.ts',
    'src/manager/role-subscription.ts',
    'src/manager/timed-commands.ts',
    // The client's pending-command table.
    'src/client/pending-commands.ts',
  ],
  concurrency: 1,
  timeoutMS: 10_000,
  timeoutFactor: 2,
  // Per-file table in the terminal; HTML and JSON reports under reports/ (git-ignored).
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Reuses earlier results for unchanged code and tests. Kept under the ignored reports/ folder: runs are
  // made one file group at a time, and each run rewrites the file with its own group only.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 85, low: 70, break: null },
};
