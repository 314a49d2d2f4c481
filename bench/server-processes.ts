/**
 * The processes `npm run bench:server` loads: a database, a `tinysphere serve` and optional
 * `tinysphere worker` processes, all real and on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestPostgres } from '@tinymlops/testkit';
import pg from 'pg';
import { DEMO_ENROLMENT_TOKEN, OPTIONS } from './server-load-options.js';

const BIN = fileURLToPath(new URL('../apps/tinysphere/bin/tinysphere.mjs', import.meta.url));

/** A database for one run: its URI, PostgreSQL's port (0 for PGlite) and how to stop it. */
export interface BenchDatabase {
  uri: string;
  pgPort: number;
  stop(): Promise<void>;
}

/**
 * A fresh database: a `bench` database in a throwaway PostgreSQL cluster, or PGlite in `dir`.
 * @example
 * const db = await startBenchDatabase('postgres', dir); … ; await db.stop();
 */
export async function startBenchDatabase(kind: 'postgres' | 'pglite', dir: string): Promise<BenchDatabase> {
  if (kind === 'pglite') return { uri: `pglite:${dir}/db`, pgPort: 0, stop: async () => {} };
  const server = await startTestPostgres({ durable: OPTIONS.durablePostgres });
  if (!server) throw new Error('no PostgreSQL available (set TEST_DATABASE_URL or install postgresql)');
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  return {
    uri: server.url.replace(/\/postgres$/, '/bench'),
    pgPort: Number(new URL(server.url).port),
    stop: () => server.stop(),
  };
}

/**
 * `tinysphere serve` on `port`, resolved once /readyz answers; with `workerProcesses` > 0 it runs
 * no ingestion of its own and as many `tinysphere worker` processes do.
 * @example
 * const s = await startServerProcesses(['--db', uri, '--blobs', 'file:/tmp/b'], port, 1); … ; await s.stop();
 */
export async function startServerProcesses(storage: string[], port: number, workerProcesses: number) {
  const own = workerProcesses > 0 ? ['--no-workers'] : ['--worker-concurrency', String(OPTIONS.workers)];
  const server = tinysphere([
    'serve',
    ...storage,
    '--port',
    String(port),
    '--demo-enrolment-token',
    DEMO_ENROLMENT_TOKEN,
    '--log-level',
    'warn',
    '--pool-size',
    '20',
    '--device-rate-limit',
    '0',
    ...own,
  ]);
  const all = [server];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      for (const c of all) c.kill('SIGTERM');
      await Promise.all(all.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
    })());
  try {
    await untilReady(port);
  } catch (err) {
    await stop();
    throw err;
  }
  // After the server: it has run the migrations the workers expect.
  for (let i = 0; i < workerProcesses; i++)
    all.push(tinysphere(['worker', ...storage, '--concurrency', String(OPTIONS.workers), '--pool-size', '6']));
  return { pids: all.map((c) => c.pid ?? 0), workerProcesses, stop };
}

function tinysphere(argv: string[]): ChildProcess {
  return spawn(process.execPath, [...OPTIONS.serverNodeArgs, BIN, ...argv], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function untilReady(port: number): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}
