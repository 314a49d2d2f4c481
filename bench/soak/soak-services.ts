/**
 * The processes `npm run soak` runs and breaks: a durable PostgreSQL cluster, s3rver, a
 * `tinysphere serve --no-workers` API and a `tinysphere worker`, all on loopback. Each can be
 * killed and started again on the same port and data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startTestPostgres, type TestPostgres } from '@tinymlops/testkit';
import pg from 'pg';

const TINYSPHERE = fileURLToPath(new URL('../../apps/tinysphere/bin/tinysphere.mjs', import.meta.url));
const S3RVER = fileURLToPath(new URL('../../node_modules/s3rver/bin/s3rver.js', import.meta.url));
/** Preloaded into the API: samples its memory, forces GCs on SIGUSR2 (see memory-probe.mjs). */
const MEMORY_PROBE = fileURLToPath(new URL('./memory-probe.mjs', import.meta.url));
export const SOAK_ENROLMENT_TOKEN = 'soak-open-enrolment';
export const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
/**
 * glibc's malloc arenas for the server processes: `SOAK_MALLOC_ARENA_MAX=2` tries fewer, more
 * reused pools (a common setting for Node servers); unset, glibc's own (8 per core). The result
 * says which ran.
 */
export const MALLOC_ARENAS = process.env.SOAK_MALLOC_ARENA_MAX ?? 'default';
const DOCKERFILE = fileURLToPath(new URL('../../deploy/Dockerfile', import.meta.url));

/**
 * The glibc malloc settings (`MALLOC_*`) the production image sets for TinySphere (its `ENV`
 * lines): the soak measures the server as it is deployed.
 * @example
 * serverMallocEnv(); // { MALLOC_MMAP_THRESHOLD_: '131072' }
 */
export function serverMallocEnv(): Record<string, string> {
  const env = [...readFileSync(DOCKERFILE, 'utf8').matchAll(/^ENV (.+)$/gm)].flatMap((m) => [
    ...(m[1] as string).matchAll(/(MALLOC_[A-Z_]+)=(\S+)/g),
  ]);
  return Object.fromEntries(env.map((m) => [m[1] as string, m[2] as string]));
}
const SERVER_ENV = {
  ...S3_ENV,
  ...serverMallocEnv(),
  ...(MALLOC_ARENAS === 'default' ? {} : { MALLOC_ARENA_MAX: MALLOC_ARENAS }),
};

/**
 * The Node flags the production image starts TinySphere with (between `node` and the script in
 * deploy/Dockerfile's ENTRYPOINT): the soak measures the server as it is deployed.
 * @example
 * serverNodeFlags(); // ['--max-semi-space-size=8']
 */
export function serverNodeFlags(): string[] {
  const line = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(DOCKERFILE, 'utf8'))?.[1];
  const argv = line ? (JSON.parse(line) as string[]) : [];
  return argv.slice(1).filter((a) => a.startsWith('--'));
}

/**
 * Open file descriptors and resident memory of a process (from /proc). `fileFds` leaves out
 * sockets: their number follows how many devices hold a keep-alive connection at that moment,
 * while a leaked upload (finding 2) shows up as a file or pipe that stays open.
 */
export function processFigures(pid: number): { fds: number; fileFds: number; rssMb: number } {
  try {
    const fdDir = `/proc/${pid}/fd`;
    const links = readdirSync(fdDir).map((fd) => {
      try {
        return readlinkSync(path.join(fdDir, fd));
      } catch {
        return 'socket:closed'; // closed between the listing and the read
      }
    });
    const fileFds = links.filter((l) => !l.startsWith('socket:')).length;
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { fds: links.length, fileFds, rssMb: Math.round(rss / 1024) };
  } catch {
    return { fds: 0, fileFds: 0, rssMb: 0 };
  }
}

/** A child process that can be killed (SIGKILL, a crash) and started again with the same arguments. */
export class Restartable {
  private child: ChildProcess | undefined;
  private expectExit = false;
  private printed = '';
  /** Times the process ended on its own (a crash): the soak fails on any. */
  crashes = 0;

  constructor(
    readonly name: string,
    private readonly argv: string[],
    private readonly env: Record<string, string> = {},
    private readonly ready: () => Promise<boolean> = async () => true,
    /** Ready only once the process has printed this on stdout (a worker has no HTTP to ask). */
    private readonly readyLine?: string,
  ) {}

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  async start(): Promise<void> {
    this.expectExit = false;
    this.printed = '';
    this.child = spawn(process.execPath, this.argv, {
      stdio: ['ignore', this.readyLine ? 'pipe' : 'ignore', 'inherit'],
      env: { ...process.env, ...this.env },
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.printed = (this.printed + d.toString()).slice(-4096)));
    const printed = () => !this.readyLine || this.printed.includes(this.readyLine);
    this.child.once('exit', (code, signal) => {
      if (this.expectExit) return;
      this.crashes++;
      console.error(`[soak] ${this.name} ended on its own (code ${code}, signal ${signal})`);
    });
    for (let i = 0; i < 1200; i++) {
      if (printed() && (await this.ready())) return;
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited with ${this.child.exitCode}`);
      await sleep(100);
    }
    throw new Error(`${this.name} did not become ready within 2 minutes`);
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    this.expectExit = true;
    c.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM (then SIGKILL after 20 s) and wait for the exit. */
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    this.expectExit = true;
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  }
}

/** Everything the soak runs, started. */
export interface SoakServices {
  pg: TestPostgres;
  dbUrl: string;
  s3: Restartable;
  api: Restartable;
  worker: Restartable;
  apiUrl: string;
  /** Where the API's memory probe writes (see memory-probe.mjs). */
  memoryFile: string;
  stop(): Promise<void>;
}

const answers = (url: string) => () =>
  fetch(url).then(
    (r) => r.status < 500,
    () => false,
  );

/**
 * Starts PostgreSQL (durable: fsync and synchronous commit on, so a crash loses nothing it
 * acknowledged), s3rver with a bucket, migrates, then the API and one worker process.
 * @example
 * const s = await startSoakServices(dir); … await s.api.kill(); await s.api.start(); … await s.stop();
 */
export async function startSoakServices(dir: string): Promise<SoakServices> {
  const pgServer = await startTestPostgres({ durable: true });
  if (!pgServer?.restart) throw new Error('the soak needs a throwaway PostgreSQL cluster (install postgresql)');
  const admin = new pg.Client({ connectionString: pgServer.url });
  await admin.connect();
  await admin.query('CREATE DATABASE soak');
  await admin.end();
  const dbUrl = pgServer.url.replace(/\/postgres$/, '/soak');
  const [s3Port, apiPort] = [await freePort(), await freePort()];
  const s3 = new Restartable(
    's3rver',
    [
      S3RVER,
      '-d',
      path.join(dir, 's3'),
      '-a',
      '127.0.0.1',
      '-p',
      String(s3Port),
      '--silent',
      '--configure-bucket',
      'tinysphere',
    ],
    {},
    answers(`http://127.0.0.1:${s3Port}/tinysphere`),
  );
  await s3.start();
  const storage = ['--db', dbUrl, '--blobs', `s3://tinysphere?endpoint=http://127.0.0.1:${s3Port}&region=us-east-1`];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const memoryFile = path.join(dir, 'api-memory.jsonl');
  const api = new Restartable(
    'api',
    [
      ...serverNodeFlags(),
      '--expose-gc',
      '--import',
      MEMORY_PROBE,
      TINYSPHERE,
      'serve',
      ...storage,
      '--port',
      String(apiPort),
      '--no-workers',
      '--demo-enrolment-token',
      SOAK_ENROLMENT_TOKEN,
      '--enrolment-rate-limit',
      '0',
      '--connection-idle-timeout',
      '10s',
      '--log-level',
      'warn',
    ],
    { ...SERVER_ENV, SOAK_MEMORY_FILE: memoryFile },
    answers(`${apiUrl}/healthz`),
  );
  await api.start();
  const workerArgv = [...serverNodeFlags(), TINYSPHERE, 'worker', ...storage, '--concurrency', '2'];
  // Started again means running: a worker still migrating when the next fault hits would fail
  // for a reason the soak made up, not one the fault is meant to test.
  const worker = new Restartable('worker', workerArgv, SERVER_ENV, async () => true, '"worker started"');
  await worker.start();
  return {
    pg: pgServer,
    dbUrl,
    s3,
    api,
    worker,
    apiUrl,
    memoryFile,
    stop: async () => {
      await api.stop();
      await worker.stop();
      await s3.stop();
      await pgServer.stop();
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
