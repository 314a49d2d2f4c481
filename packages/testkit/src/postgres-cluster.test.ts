import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from './test-database.js';

const serverUrl = inject('postgresUrl');

describe.skipIf(!serverUrl)('test PostgreSQL', () => {
  it('serves a fresh database per test file that accepts writes and is dropped after', async () => {
    const db = await createTestDatabase(serverUrl);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE t (x int)');
    await client.query('INSERT INTO t VALUES (41), (1)');
    const { rows } = await client.query<{ s: string }>('SELECT sum(x) AS s FROM t');
    await client.end();
    expect(Number(rows[0]?.s)).toBe(42);
    await db.drop();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [new URL(db.url).pathname.slice(1)]);
    await admin.end();
    expect(left.rowCount).toBe(0);
  });
});
