import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const postgresSetup = fileURLToPath(new URL('./packages/testkit/src/postgres-global-setup.ts', import.meta.url));
const dashboardBuild = fileURLToPath(new URL('./apps/dashboard/e2e/build-global-setup.ts', import.meta.url));
const byteEquality = fileURLToPath(new URL('./packages/testkit/src/byte-equality-setup.ts', import.meta.url));
const pgliteSnapshot = fileURLToPath(
  new URL('./apps/tinysphere/src/testing/pglite-snapshot-setup.ts', import.meta.url),
);

/**
 * Test files at once. vitest's default (one less than the cores) ran one file at a time on CI's
 * 2 cores, with a core idle while that file waited on loopback HTTP, a database or a child process.
 */
const workers = Math.max(2, availableParallelism() - 1);

/** One vitest project per workspace package; tests sit next to the code they test. */
const projects: { root: string; name?: string; postgres?: boolean; setup?: string[] }[] = [
  { root: 'packages/contracts' },
  { root: 'packages/tinylcm' },
  { root: 'packages/testkit', postgres: true },
  { root: 'apps/tinysphere', postgres: true, setup: [pgliteSnapshot] },
  { root: 'apps/device', postgres: true },
  { root: 'apps/fleet-sim', postgres: true },
  { root: '.', name: 'repo' },
];

export default defineConfig({
  test: {
    projects: [
      ...projects.map(({ root, name, postgres, setup = [] }) => ({
        test: {
          name: name ?? root.split('/')[1] ?? root,
          root,
          include: root === '.' ? ['scripts/**/*.test.ts'] : ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
          // Limits for a hang, not for speed: with two files at a time on a 2-core machine that others
          // share too, a test opening PGlite cold (initdb) took 65 s at a load average of 18.
          testTimeout: 120_000,
          hookTimeout: 240_000,
          maxWorkers: workers,
          globalSetup: [...(postgres ? [postgresSetup] : []), ...setup],
          setupFiles: [byteEquality],
        },
      })),
      // Browser tests: a real TinySphere on loopback and Debian's chromium; builds the SPA first when stale.
      // One file at a time, after the other projects: a browser per worker would crowd 2 cores.
      {
        test: {
          name: 'dashboard-e2e',
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          root: 'apps/dashboard',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          globalSetup: [dashboardBuild, postgresSetup],
          setupFiles: [byteEquality],
        },
      },
    ],
  },
});
