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
    'src/protocol/kalshi/**/*.ts',
    'src/manager/seq-tracker.ts',
    'src/manager/output-queue.ts',
    'src/manager/placement.ts',
    'src/manager/dedupe-window.ts',
    'src/manager/rate-limiter.ts',
    'src/manager/repair.ts',
    // The manager's command handling: batched orderbook commands, role subscriptions, timed commands.
    'src/manager/book-sync.ts',
    'src/manager/role-subscription.ts',
    'src/manager/timed-commands.ts',
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
