import { describe, expect, it } from 'vitest';
import { buildCli } from './cli-build.mjs';
import { runtimeGraphProblems, startupPackages } from './runtime-deps.mjs';

/**
 * A production install (`npm ci --omit=dev`, or the device release) has no test kit and no dev
 * dependencies: the compiled CLIs' import graphs must not reach them. The graph is esbuild's, from
 * the real entry points, so a test-only import anywhere below `cli.ts` (even through a package
 * index) is caught.
 */
describe('runtime import graphs of the compiled CLIs', () => {
  for (const app of ['device', 'tinysphere', 'fleet-sim']) {
    it(`${app}: no test-only code, and every npm package it imports is a declared runtime dependency`, async () => {
      const { inputs, externals } = await buildCli(app, { write: false });
      expect(inputs.length).toBeGreaterThan(10);
      expect(runtimeGraphProblems(inputs, externals)).toEqual([]);
    });
  }

  it('the device imports only what its release installs', async () => {
    const { externals } = await buildCli('device', { write: false });
    expect([...externals.keys()].sort()).toEqual(['@litertjs/core', 'commander', 'sharp', 'tar-stream', 'zod']);
  });

  // `--help` must stay under half a second (issue 13): before a command runs, a CLI loads only
  // commander; zod (≈ 60 modules) and kysely (≈ 400) tripled tinysphere's start-up when they did.
  const entries = { device: 'tinylcm-device', tinysphere: 'tinysphere', 'fleet-sim': 'fleet-sim' };
  for (const [app, entry] of Object.entries(entries)) {
    it(`${app}: loads no npm package but commander before a command runs`, async () => {
      const { metafile } = await buildCli(app, { write: false });
      expect(startupPackages(metafile, entry)).toEqual(['commander']);
    });
  }

  it('names test-only sources and devDependencies when they reach the graph', () => {
    const problems = runtimeGraphProblems(
      ['apps/device/src/cli.ts', 'packages/testkit/src/drift-conformance.ts', 'apps/device/src/cli.test.ts'],
      new Map([
        ['vitest', ['apps/device/src/cli.ts']],
        ['sharp', ['apps/device/src/cli.ts']],
        ['left-pad', ['packages/tinylcm/src/index.ts']],
      ]),
    );
    expect(problems).toEqual([
      'packages/testkit/src/drift-conformance.ts is test-only code but is in the runtime import graph',
      'apps/device/src/cli.test.ts is test-only code but is in the runtime import graph',
      'vitest is imported by apps/device/src/cli.ts but is not declared of apps/device',
      'sharp is imported by apps/device/src/cli.ts but is only in devDependencies of apps/device',
      'left-pad is imported by packages/tinylcm/src/index.ts but is not declared of packages/tinylcm',
    ]);
  });
});
