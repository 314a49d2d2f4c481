import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.js';
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
    if (dir === 'memory') {
      const db = new Kysely<Database>({ dialect: new PGliteDialect(await PGlite.create()) });
      return { db, kind: 'pglite', close: () => db.destroy() };
    }
    await mkdir(dir, { recursive: true });
    const release = await lockDataDir(dir);
    try {
      const db = new Kysely<Database>({ dialect: new PGliteDialect(await PGlite.create(dir)) });
      return { db, kind: 'pglite', close: () => db.destroy().finally(release) };
    } catch (err) {
      await release();
      throw err;
    }
  }
  if (uri.startsWith('postgres://') || uri.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: uri, max: options.poolSize ?? 10 });
    // A connection dropped by the server (restart, failover) must not crash the process: the
    // pool discards an idle one and the next query opens a new one; /readyz reports the outage.
    pool.on('error', () => {});
    // A connection checked out between two statements (inside a transaction) has no listener of
    // the pool's: without one of its own, its 'error' would be uncaught and end the process. The
    // statement it was to run fails instead, as any statement does while the database is away.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  throw new TinyMLOpsError('INVALID_OPTION', `--db: expected pglite:<dir> or postgres://…, got "${uri}"`);
}
