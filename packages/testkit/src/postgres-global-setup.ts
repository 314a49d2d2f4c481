import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test PostgreSQL server, or '' when none could be started (tests then skip loudly). */
    postgresUrl: string;
  }
}

/**
 * vitest globalSetup: one PostgreSQL server for the whole run of a project, handed to tests with
 * `inject('postgresUrl')`; each test file makes its own database with `createTestDatabase`.
 * `TINYMLOPS_TEST_POSTGRES=off` runs on PGlite only: CI's runs on other Node versions use it, as the
 * main run covers PostgreSQL (its driver is plain JavaScript) and the CI budget is 30 minutes.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env['TINYMLOPS_TEST_POSTGRES'] === 'off') {
    console.warn(`\n${project.name}: PostgreSQL off in this run (TINYMLOPS_TEST_POSTGRES=off): PGlite only\n`);
    project.provide('postgresUrl', '');
    return async () => {};
  }
  const pg = await startTestPostgres();
  project.provide('postgresUrl', pg?.url ?? '');
  return async () => {
    await pg?.stop();
  };
}
