import { readdir, readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Db } from './database.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/**
 * Applies every numbered `migrations/NNN-*.sql` not yet recorded in `schema_migrations`, each in
 * its own transaction. An advisory lock makes concurrent starts (several API processes) safe.
 * @example
 * const applied = await migrate(db); // ['001-initial.sql'] on a fresh database
 */
export async function migrate(db: Db): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}-.*\.sql$/.test(f)).sort();
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(
    db,
  );
  const applied: string[] = [];
  for (const name of files) {
    const text = await readFile(new URL(name, MIGRATIONS_DIR), 'utf8');
    const done = await db.transaction().execute(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(7361)`.execute(tx);
      const seen = await sql<{ n: number }>`SELECT 1 AS n FROM schema_migrations WHERE name = ${name}`.execute(tx);
      if (seen.rows.length > 0) return false;
      await sql.raw(text).execute(tx);
      await sql`INSERT INTO schema_migrations (name) VALUES (${name})`.execute(tx);
      return true;
    });
    if (done) applied.push(name);
  }
  return applied;
}
