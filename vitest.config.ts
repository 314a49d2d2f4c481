import { defineConfig } from 'vitest/config';

/** One vitest project per workspace package; tests sit next to the code they test. */
const projects = ['packages/contracts', 'packages/tinylcm', 'packages/testkit', 'apps/tinysphere', 'apps/device', 'apps/fleet-sim'];

export default defineConfig({
  test: {
    projects: projects.map((root) => ({
      test: {
        name: root.split('/')[1] ?? root,
        root,
        include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
        testTimeout: 60_000,
        hookTimeout: 120_000,
      },
    })),
  },
});
