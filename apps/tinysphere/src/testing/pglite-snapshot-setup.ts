import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import type { TestProject } from 'vitest/node';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrate.js';
import { PGliteDialect } from '../storage/pglite-dialect.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A freshly migrated PGlite data directory, dumped as a tar file ('' when there is none). */
    pgliteSnapshot: string;
  }
}

/**
 * vitest globalSetup of the server suite: runs PGlite's initdb and every migration once per run
 * and hands the result to the test files, which load it instead of repeating both (that took
 * three quarters of each file's PGlite start; `databaseEngines()` reads it).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const file = path.join(tmpdir(), `tinymlops-pglite-${process.pid}-${project.name}.tar`);
  const pglite = await PGlite.create();
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  try {
    await migrate(db);
    const dump = await pglite.dumpDataDir('none');
    await writeFile(file, new Uint8Array(await dump.arrayBuffer()));
  } finally {
    await db.destroy();
  }
  project.provide('pgliteSnapshot', file);
  return () => rm(file, { force: true });
}
