/**
 * The ingest fuzzer: generated hostile packages through the server's real reader and ingest path
 * (gunzip, tar reader, manifest and hash checks, each type's document parsing, its blobs and byte
 * runs), in process. Every case must end accepted or refused with a 4xx error code; anything else
 * is a crash. Every filesystem write must land in the blob store. Test-only code.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { DEFAULT_CONFIG, type AppContext } from '../../../app-context.js';
import { hostilePackages, STRATEGIES, type FuzzCase, type Strategy } from './hostile-packages.js';
import { watchWrites } from './write-watch.js';

/** What a fuzz run found. */
export interface FuzzReport {
  seed: number;
  cases: number;
  seconds: number;
  /** Cases the path accepted, and refused (by error code), per strategy. */
  byStrategy: Record<Strategy, { accepted: number; refused: number }>;
  refusals: Record<string, number>;
  /** Cases that ended in anything but acceptance or a 4xx refusal; their bytes are saved under `crashDir`. */
  crashes: { index: number; strategy: Strategy; error: string }[];
  /** Filesystem writes outside the blob store (must be none). */
  writesOutside: string[];
  crashDir: string;
}

/** Options of {@link fuzzIngest}. */
export interface FuzzOptions {
  seed: number;
  count: number;
  /** Worker threads to spread the cases over (default 1: this thread). */
  threads?: number;
  /** Where crashing inputs are saved (default: test-results/fuzz-crashes). */
  crashDir?: string;
  onProgress?: (done: number) => void;
}

/** Cases `from` to `to` − 1 of one run: what a worker thread does (see fuzz-thread.ts). */
export interface FuzzRange {
  seed: number;
  from: number;
  to: number;
  crashDir: string;
}

/** A tmpfs when there is one: the store's fsyncs then cost nothing. */
async function sandbox(): Promise<string> {
  const base = await readdir('/dev/shm').then(
    () => '/dev/shm',
    () => tmpdir(),
  );
  return mkdtemp(path.join(base, 'tinysphere-fuzz-'));
}

/**
 * Runs `count` cases from `seed`, on `threads` worker threads (each with a sandbox of its own).
 * @example
 * const r = await fuzzIngest({ seed: 1, count: 100_000, threads: 2 }); // r.crashes, r.writesOutside: []
 */
export async function fuzzIngest(o: FuzzOptions): Promise<FuzzReport> {
  const crashDir = o.crashDir ?? path.resolve('test-results/fuzz-crashes');
  const threads = Math.max(1, Math.min(o.threads ?? 1, o.count));
  const started = performance.now();
  const per = Math.ceil(o.count / threads);
  const ranges = Array.from({ length: threads }, (_, i) => ({
    seed: o.seed,
    from: i * per,
    to: Math.min(o.count, (i + 1) * per),
    crashDir,
  }));
  const done = ranges.map(() => 0);
  const progress = (i: number, n: number) => {
    done[i] = n;
    o.onProgress?.(done.reduce((a, b) => a + b, 0));
  };
  const parts =
    threads === 1
      ? [await fuzzRange(ranges[0]!, (n) => progress(0, n))]
      : await Promise.all(ranges.map((r, i) => inThread(r, (n) => progress(i, n))));
  return { ...merge(o.seed, crashDir, parts), seconds: (performance.now() - started) / 1000 };
}

function inThread(range: FuzzRange, onProgress: (done: number) => void): Promise<FuzzReport> {
  const worker = new Worker(new URL('./fuzz-thread.mjs', import.meta.url), { workerData: range });
  return new Promise((resolve, reject) => {
    worker.on('message', (m: { done?: number; report?: FuzzReport }) => {
      if (m.done !== undefined) onProgress(m.done);
      if (m.report) resolve(m.report);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => code !== 0 && reject(new Error(`fuzz thread exited with ${code}`)));
  });
}

function merge(seed: number, crashDir: string, parts: FuzzReport[]): Omit<FuzzReport, 'seconds'> {
  const byStrategy = emptyByStrategy();
  const refusals: Record<string, number> = {};
  for (const p of parts) {
    for (const s of STRATEGIES) {
      byStrategy[s].accepted += p.byStrategy[s].accepted;
      byStrategy[s].refused += p.byStrategy[s].refused;
    }
    for (const [code, n] of Object.entries(p.refusals)) refusals[code] = (refusals[code] ?? 0) + n;
  }
  return {
    seed,
    cases: parts.reduce((n, p) => n + p.cases, 0),
    byStrategy,
    refusals,
    crashes: parts.flatMap((p) => p.crashes),
    writesOutside: parts.flatMap((p) => p.writesOutside),
    crashDir,
  };
}

const emptyByStrategy = () =>
  Object.fromEntries(STRATEGIES.map((s) => [s, { accepted: 0, refused: 0 }])) as FuzzReport['byStrategy'];

/**
 * Runs one range of cases in this thread, watching every filesystem write it makes.
 * @example
 * const r = await fuzzRange({ seed: 1, from: 0, to: 1000, crashDir: '/tmp/crashes' });
 */
export async function fuzzRange(range: FuzzRange, onProgress?: (done: number) => void): Promise<FuzzReport> {
  const dir = await sandbox();
  const root = path.join(dir, 'store');
  const watch = watchWrites(root);
  // Imported after the watch is on: modules that wrap fs functions at load keep what they saw then.
  const { FsBlobStore } = await import('../../../storage/blob-stores/fs.js');
  const { loadPackage } = await import('../load-package.js');
  const { packRuns } = await import('../package-types/package-type-handler.js');
  const blobs = await FsBlobStore.open(root);
  const ctx = { config: DEFAULT_CONFIG, blobs } as unknown as AppContext;
  const report: FuzzReport = {
    seed: range.seed,
    cases: 0,
    seconds: 0,
    byStrategy: emptyByStrategy(),
    refusals: {},
    crashes: [],
    writesOutside: [],
    crashDir: range.crashDir,
  };
  const attempt = async (c: FuzzCase) => {
    const pkg = await loadPackage(ctx, c.deviceId, c.packageId, c.bytes);
    for (const { handler, doc } of pkg.parsed) await handler.blobs?.(ctx, pkg.input, doc);
    packRuns(pkg.parsed.flatMap(({ handler, doc }) => handler.runs?.(pkg.input, doc) ?? []));
  };
  try {
    for (const c of hostilePackages(range.seed, range.from, range.to)) {
      try {
        await attempt(c);
        report.byStrategy[c.strategy].accepted++;
      } catch (err) {
        if (err instanceof TinyMLOpsError && err.status < 500) {
          report.byStrategy[c.strategy].refused++;
          report.refusals[err.code] = (report.refusals[err.code] ?? 0) + 1;
        } else await recordCrash(report, c, err);
      }
      if (++report.cases % 1000 === 0) onProgress?.(report.cases);
    }
  } finally {
    report.writesOutside = watch.stop();
  }
  onProgress?.(report.cases);
  const strays = (await readdir(dir)).filter((n) => n !== 'store');
  report.writesOutside.push(...strays.map((n) => `left ${path.join(dir, n)}`));
  await rm(dir, { recursive: true, force: true });
  return report;
}

async function recordCrash(report: FuzzReport, c: FuzzCase, err: unknown): Promise<void> {
  const error = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : String(err);
  report.crashes.push({ index: c.index, strategy: c.strategy, error });
  await mkdir(report.crashDir, { recursive: true });
  await writeFile(path.join(report.crashDir, `seed-${report.seed}-case-${c.index}.tgz`), c.bytes);
}
