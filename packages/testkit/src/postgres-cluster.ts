import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** A PostgreSQL server for tests: its URL and how to stop it (a no-op for an external one). */
export interface TestPostgres {
  readonly url: string;
  /** `external` when it came from TEST_DATABASE_URL, `throwaway` when this process started it. */
  readonly origin: 'external' | 'throwaway';
  stop(): Promise<void>;
  /**
   * Stops the server as a crash would (`pg_ctl stop -m immediate`: no checkpoint, recovery on
   * start) and starts it again on the same port and data; waits until it accepts connections.
   * Only a throwaway cluster can be restarted.
   */
  restart?(options?: { downMs?: number }): Promise<void>;
}

/** Finds the directory holding `initdb` and `pg_ctl`, newest major version first. */
export function findPostgresBinaries(): string | null {
  const candidates: string[] = [];
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const majors = readdirSync(debianRoot).sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((m) => path.join(debianRoot, m, 'bin')));
  }
  candidates.push(...(process.env['PATH'] ?? '').split(path.delimiter));
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) ?? null;
}

/** initdb refuses to run as root; as root we run the binaries as the `postgres` user. */
function asPostgresUser(bin: string, args: string[]): [string, string[]] {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/**
 * Gives tests a PostgreSQL server: `TEST_DATABASE_URL` when set, otherwise a throwaway cluster
 * (initdb + pg_ctl on a free loopback port in a temp dir, fsync off unless `durable`; about 2 s).
 * Returns null — after printing one loud line — only when neither is possible.
 * @example
 * const pg = await startTestPostgres();
 * if (pg) { await useDatabase(pg.url); await pg.stop(); }
 * await startTestPostgres({ durable: true }); // PostgreSQL's production defaults: fsync, synchronous commit
 */
export async function startTestPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres | null> {
  const external = process.env['TEST_DATABASE_URL'];
  if (external) return { url: external, origin: 'external', stop: async () => {} };
  const bin = findPostgresBinaries();
  if (!bin) {
    console.warn(
      '\n!!! PostgreSQL tests SKIPPED: TEST_DATABASE_URL is not set and no initdb/pg_ctl was found (apt-get install postgresql). !!!\n',
    );
    return null;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'tinymlops-pg-'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) await chown(dir, ...(await postgresIds()));
  const port = await freePort();
  const data = path.join(dir, 'data');
  await run(
    ...asPostgresUser(path.join(bin, 'initdb'), [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
    ]),
  );
  // Tests need no crash safety from their throwaway cluster; a durable one is for benchmarks.
  const unsafe = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${unsafe} -c max_connections=200`;
  await run(
    ...asPostgresUser(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', opts, 'start']),
  );
  const pgCtl = (args: string[]) => run(...asPostgresUser(path.join(bin, 'pg_ctl'), ['-D', data, ...args]));
  const stop = async () => {
    await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  const restart = async (o: { downMs?: number } = {}) => {
    await pgCtl(['-m', 'immediate', '-w', 'stop']);
    await new Promise((r) => setTimeout(r, o.downMs ?? 0));
    await pgCtl(['-l', path.join(dir, 'log'), '-w', '-o', opts, 'start']);
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, origin: 'throwaway', stop, restart };
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: g } = await run('id', ['-g', 'postgres']);
  return [Number(stdout.trim()), Number(g.trim())];
}
