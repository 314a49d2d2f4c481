import { startTestPostgres, type TestPostgres } from '@tinymlops/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from './open-database.js';

/**
 * PostgreSQL restarting (a crash, a failover) while a transaction holds a connection between two
 * statements must fail that transaction, not end the server or worker process (the soak found
 * the worker dying of an uncaught 'error' on such a connection).
 */
describe('a PostgreSQL restart under an open transaction', () => {
  let pg: TestPostgres | null;
  let d: OpenDatabase;
  beforeAll(async () => {
    pg = await startTestPostgres(); // a cluster of its own: the shared one must not restart under other tests
    if (pg) d = await openDatabase(pg.url, { poolSize: 2 });
  });
  afterAll(async () => {
    await d?.close();
    await pg?.stop();
  });

  it('fails the transaction and serves the next statement once PostgreSQL is back', async (ctx) => {
    if (!pg?.restart) return ctx.skip();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = d.db.transaction().execute(async (t) => {
      await sql`SELECT 1`.execute(t);
      await held; // the connection sits checked out, between statements, while PostgreSQL goes
      await sql`SELECT 2`.execute(t);
    });
    tx.catch(() => {});
    await new Promise((r) => setTimeout(r, 200));
    await pg.restart({ downMs: 500 });
    await new Promise((r) => setTimeout(r, 500)); // the dropped connection's 'error' arrives meanwhile
    release();
    await expect(tx).rejects.toThrow();
    const r = await sql<{ n: number }>`SELECT 3 AS n`.execute(d.db);
    expect(r.rows[0]?.n).toBe(3);
  }, 120_000);
});
