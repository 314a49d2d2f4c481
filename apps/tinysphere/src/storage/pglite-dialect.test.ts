import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGliteDialect } from './pglite-dialect.js';

interface T {
  counter: { id: number; n: number };
}

describe('PGlite dialect', () => {
  let db: Kysely<T>;
  beforeAll(async () => {
    db = new Kysely<T>({ dialect: new PGliteDialect(await PGlite.create()) });
    await sql`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)`.execute(db);
  });
  afterAll(() => db.destroy());

  it('serialises concurrent transactions on the single connection (no lost updates, no interleaving)', async () => {
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction().execute(async (tx) => {
          const { n } = await tx.selectFrom('counter').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
          await new Promise((r) => setTimeout(r, 1));
          await tx
            .updateTable('counter')
            .set({ n: n + 1 })
            .where('id', '=', 1)
            .execute();
        }),
      ),
    );
    expect((await db.selectFrom('counter').select('n').executeTakeFirstOrThrow()).n).toBe(20);
  });

  it('rolls back a failed transaction and keeps serving', async () => {
    await expect(
      db.transaction().execute(async (tx) => {
        await tx.updateTable('counter').set({ n: 999 }).where('id', '=', 1).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await db.selectFrom('counter').select('n').executeTakeFirstOrThrow()).n).toBe(20);
    const r = await db.updateTable('counter').set({ n: 21 }).where('id', '=', 1).executeTakeFirst();
    expect(r.numUpdatedRows).toBe(1n);
  });
});
