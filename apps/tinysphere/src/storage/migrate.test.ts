import { readdirSync, readFileSync } from 'node:fs';
import { createTestDatabase } from '@tinymlops/testkit';
import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { migrate } from './migrate.js';
import { openDatabase } from './open-database.js';

const serverUrl = inject('postgresUrl');
/** Every migration file, in the order they must apply. */
const ALL = readdirSync(new URL('./migrations/', import.meta.url))
  .filter((f) => f.endsWith('.sql'))
  .sort();
/** The tables the migrations create, plus `schema_migrations` (made by `migrate` itself). */
const TABLES = new Set(ALL.flatMap(createdTables)).size + 1;

function createdTables(file: string): string[] {
  const text = readFileSync(new URL(`./migrations/${file}`, import.meta.url), 'utf8');
  return [...text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/gi)].map((m) => m[1]!.toLowerCase());
}

describe('migrations', () => {
  it('build the whole schema on PGlite and are idempotent', async () => {
    const d = await openDatabase('pglite:memory');
    expect(ALL[0]).toBe('001-initial.sql');
    expect(await migrate(d.db)).toEqual(ALL);
    expect(await migrate(d.db)).toEqual([]);
    const tables = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`.execute(d.db);
    expect(tables.rows[0]?.n).toBe(TABLES);
    await d.close();
  });

  it.skipIf(!serverUrl)('are applied once when several processes start at the same time (PostgreSQL)', async () => {
    const t = await createTestDatabase(serverUrl);
    const opened = await Promise.all([0, 1, 2].map(() => openDatabase(t.url)));
    const applied = await Promise.all(opened.map((d) => migrate(d.db)));
    expect(applied.flat().sort()).toEqual(ALL);
    await Promise.all(opened.map((d) => d.close()));
    await t.drop();
  });
});
