import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from './open-database.js';

const BIN = fileURLToPath(new URL('../../bin/tinysphere.mjs', import.meta.url));
const run = promisify(execFile);

async function tinysphere(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * Probe finding 9: PGlite is one process per data directory. A second process (an admin command
 * beside a running server) used to print success and lose its write; it must be refused, clearly.
 */
describe('the PGlite data directory is locked to one process', () => {
  let dir: string;
  let held: OpenDatabase;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pglite-lock-'));
    held = await openDatabase(`pglite:${dir}/db`);
  });
  afterAll(async () => {
    await held.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an admin command while another process has the directory open, and writes nothing', async () => {
    const r = await tinysphere(['admin', 'enrolment-token', '--db', `pglite:${dir}/db`, '--blobs', `file:${dir}/b`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(
      new RegExp(`^tinysphere: UNAVAILABLE: .*${dir}/db is in use by process ${process.pid}.*stop it`),
    );
  });

  it('refuses a second open in the same process too', async () => {
    await expect(openDatabase(`pglite:${dir}/db`)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('takes over a lock left by a process that died, and releases it on close', async () => {
    const other = path.join(dir, 'db2');
    const first = await openDatabase(`pglite:${other}`);
    await first.close();
    // A lock as a SIGKILLed process leaves it: a pid that is not running.
    await writeFile(path.join(other, '.tinysphere.lock'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname() }));
    const again = await openDatabase(`pglite:${other}`);
    await again.close();
    const third = await openDatabase(`pglite:${other}`);
    await third.close();
  });
});
