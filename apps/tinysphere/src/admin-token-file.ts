import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createApiToken } from './modules/devices/tokens.js';
import type { Db } from './storage/database.js';

/**
 * `tinysphere serve --admin-token-file <file>`: when the file does not exist yet, creates an admin
 * API token named `name` and writes it there (`{"apiToken": …}`, mode 0600); when it exists, does
 * nothing. For demos and first starts: the server creates the token in its own process, so a
 * fresh embedded database is opened (and initialised) once, not once by an admin command and
 * again by the server. Returns whether it created one.
 * @example
 * await ensureAdminTokenFile(app.ctx.db, '.tinymlops/demo/admin-token.json', 'demo-admin');
 */
export async function ensureAdminTokenFile(db: Db, file: string, name: string): Promise<boolean> {
  if (existsSync(file)) return false;
  const { apiToken } = await createApiToken(db, name, 'admin');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ apiToken })}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return true;
}
