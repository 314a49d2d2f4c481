import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Creates a fresh, uniquely named database on the server at `serverUrl` and returns its URL and
 * a `drop()` to remove it, so test files never see each other's rows.
 * @example
 * const db = await createTestDatabase(inject('postgresUrl'));
 * // … use db.url …
 * await db.drop();
 */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
