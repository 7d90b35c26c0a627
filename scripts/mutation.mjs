#!/usr/bin/env node
/**
 * `npm run test:mutation [-- --mutate <file>]`: runs StrykerJS with `stryker.config.mjs`.
 *
 * StrykerJS 10 declares `engines.node >= 22` and refuses to start on older versions, while this package
 * supports Node >= 20.19. On Node 20 the run works (checked on 20.20), so this launcher says so visibly and
 * lets it start; on Node 22+ it changes nothing.
 */
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `test:mutation: Node ${process.version} is below StrykerJS's declared minimum (22); running anyway. ` +
      'Use Node 22+ if the run misbehaves.\n',
  );
  Object.defineProperty(process, 'version', { value: 'v22.0.0', configurable: true });
}
const { StrykerCli } = await import('@stryker-mutator/core');
new StrykerCli([process.argv[0], 'stryker', 'run', ...process.argv.slice(2)]).run();
