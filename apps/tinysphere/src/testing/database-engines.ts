import { createTestDatabase } from '@tinymlops/testkit';
import { inject } from 'vitest';
import { migrate } from '../storage/migrate.js';
import { openDatabase, type OpenDatabase } from '../storage/open-database.js';

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
      open: async () => {
        const d = await openDatabase('pglite:memory');
        await migrate(d.db);
        return d;
      },
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
