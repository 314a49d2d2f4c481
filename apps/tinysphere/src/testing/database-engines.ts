import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { createTestDatabase } from '@tinymlops/testkit';
import { Kysely } from 'kysely';
import { inject } from 'vitest';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrate.js';
import { openDatabase, type OpenDatabase } from '../storage/open-database.js';
import { PGliteDialect } from '../storage/pglite-dialect.js';

/** One database engine the server suite runs against. */
export interface DatabaseEngine {
  readonly name: 'pglite' | 'postgres';
  /** Opens a fresh, migrated database; `close()` also drops it. */
  open(): Promise<OpenDatabase>;
}

/**
 * The engines for `describe.each`: PGlite always, PostgreSQL when the test setup provides one
 * (it prints a loud warning when it cannot).
 * @example
 * describe.each(databaseEngines())('devices on $name', (engine) => { … });
 */
export function databaseEngines(): DatabaseEngine[] {
  const url = inject('postgresUrl');
  const engines: DatabaseEngine[] = [
    {
      name: 'pglite',
      open: openPglite,
    },
  ];
  if (url) {
    engines.push({
      name: 'postgres',
      open: async () => {
        const t = await createTestDatabase(url);
        const d = await openDatabase(t.url);
        await migrate(d.db);
        return { ...d, close: async () => (await d.close(), await t.drop()) };
      },
    });
  }
  return engines;
}

/**
 * A fresh, migrated in-memory PGlite: loaded from the run's snapshot (pglite-snapshot-setup.ts)
 * when there is one, else made by initdb and the migrations.
 */
async function openPglite(): Promise<OpenDatabase> {
  const snapshot = inject('pgliteSnapshot');
  if (!snapshot) {
    const d = await openDatabase('pglite:memory');
    await migrate(d.db);
    return d;
  }
  const loadDataDir = new Blob([new Uint8Array(await readFile(snapshot))]);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(await PGlite.create({ loadDataDir })) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}
