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
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = await startTestPostgres();
  project.provide('postgresUrl', pg?.url ?? '');
  return async () => {
    await pg?.stop();
  };
}
