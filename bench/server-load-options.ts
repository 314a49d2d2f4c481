/**
 * The command line of `npm run bench:server`, read once, and the fixed shape of its load.
 */
import os from 'node:os';

const args = process.argv.slice(2);
const valueOf = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const seconds = Number(valueOf('--seconds') ?? 10);
const heartbeatsOnly = args.includes('--heartbeats-only');
const skipHeartbeats = args.includes('--skip-heartbeats');

/** What this run does; see the header of server-load.ts for the flags. */
export const OPTIONS = {
  json: args.includes('--json'),
  /** `--db postgres|pglite`: only that database. */
  only: valueOf('--db'),
  seconds,
  /** In-process ingestion loops, and loops per worker process (the CLI's default is 2). */
  workers: Number(valueOf('--workers') ?? 2),
  heartbeatsOnly,
  skipHeartbeats,
  record: !args.includes('--no-record') && !heartbeatsOnly && !skipHeartbeats,
  /**
   * PostgreSQL deployments, by worker processes: 0 = ingestion in the API process, N = the API
   * process runs none and N `tinysphere worker` processes do (on 2 cores: uploads and ingestion on
   * separate cores). Both by default; `--worker-processes N` picks one.
   */
  workerProcesses: valueOf('--worker-processes') === undefined ? [0, 1] : [Number(valueOf('--worker-processes'))],
  /** `--durable-postgres`: fsync and synchronous commit on, as PostgreSQL ships. */
  durablePostgres: args.includes('--durable-postgres'),
  /** Packages measured, enough for the upload phase to last seconds, not one. */
  packages: Math.max(1200, Math.round(seconds * 300)),
  /** Uploaded and ingested first, not counted: a fresh process's JIT warm-up is not its throughput. */
  warmupPackages: 300,
  /** Node flags for the server processes, e.g. `BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'`. */
  serverNodeArgs: (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
  /** The machine may be shared; the load before the run says how much of it the benchmark had. */
  loadAtStart: os.loadavg()[0]?.toFixed(1) ?? '?',
} as const;

export const DEVICES = 200;
export const HB_CONNECTIONS = 64;
export const PKG_CONCURRENCY = 32;
export const DEMO_ENROLMENT_TOKEN = 'bench-open-enrolment';

/** Progress goes to stderr when stdout carries the JSON. */
export const log = (...m: unknown[]) => (OPTIONS.json ? console.error(...m) : console.log(...m));

/**
 * The p-th percentile (nearest rank) of `xs`, to 0.1; 0 for none.
 * @example
 * percentile([3, 1, 2], 50); // 2
 */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(1)) : 0;
}
