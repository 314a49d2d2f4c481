import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database, Db } from './database.js';
import { PGliteDialect } from './pglite-dialect.js';

/** Which engine a `--db` URI names. */
export type DatabaseKind = 'pglite' | 'postgres';

/** An open database: the Kysely handle, its engine, and how to close it. */
export interface OpenDatabase {
  readonly db: Db;
  readonly kind: DatabaseKind;
  close(): Promise<void>;
}

/**
 * Opens `pglite:<dir>` (embedded; `pglite:memory` for a throwaway one) or `postgres://…`.
 * @example
 * const { db, close } = await openDatabase('pglite:./.tinymlops/db');
 */
export async function openDatabase(uri: string, options: { poolSize?: number } = {}): Promise<OpenDatabase> {
  if (uri.startsWith('pglite:')) {
    const dir = uri.slice('pglite:'.length);
    if (dir !== 'memory') await mkdir(dir, { recursive: true });
    const pglite = await PGlite.create(dir === 'memory' ? undefined : dir);
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    return { db, kind: 'pglite', close: () => db.destroy() };
  }
  if (uri.startsWith('postgres://') || uri.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: uri, max: options.poolSize ?? 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  throw new TinyMLOpsError('INVALID_OPTION', `--db: expected pglite:<dir> or postgres://…, got "${uri}"`);
}
