/**
 * `npm run bench:device [-- --frames N] [--warm-up N] [--json] [--clock thread|cpu|wall] [--models a,b]
 * [--no-append]`:
 * the device data path (preprocess → inference → transform → KNN → drift → log) over N frames of
 * the committed Fashion-MNIST sample, on the project's model and — when `../shared/reference-artifacts`
 * (or `$TINYMLOPS_SHARED`) is present — on the prototype's 224² MobileNetV2 with its feature
 * processor and KNN state. Every row is a fresh child process (so peak RSS is per row): the
 * launcher's configuration (backend chosen automatically, the launcher's V8 flags), then each
 * backend pinned with 1 and 2 threads. The same frames go through TF Lite's own interpreter
 * (bench/tflite_interpreter.py, when `.venv-tflite` exists): every row gets `ratioToTfLite`.
 * Prints a table; `--json` prints one JSON array as the last line. Appends to docs/benchmarks.md
 * unless `--no-append`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sharedDir } from '../packages/tinylcm/src/internal/test-paths.js';
import { appendBenchmarks } from './benchmarks-doc.js';
import { JIT_WARM_UP, POC_DIR, POC_INPUT } from './device-pipeline-frames.js';
import { deviceBenchReport, type DeviceBenchRow } from './device-pipeline-report.js';
import { comparatorPython, measureTfLite, type TfLiteResult } from './device-pipeline-tflite.js';

export type { DeviceBenchRow };

const REPO = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const frames = Number(arg('--frames') ?? 500);
const clockArg = arg('--clock') ?? 'thread';
if (!['thread', 'cpu', 'wall'].includes(clockArg))
  throw new Error(`--clock must be thread, cpu or wall, got ${clockArg}`);
const clock = clockArg as 'thread' | 'cpu' | 'wall';
if (!Number.isInteger(frames) || frames < 1) throw new Error(`--frames must be an integer ≥ 1, got ${arg('--frames')}`);
// Frames each row runs before timing so V8 has optimized the frame path (device-pipeline-frames.ts).
const warmUp = Number(arg('--warm-up') ?? JIT_WARM_UP);
if (!Number.isInteger(warmUp) || warmUp < 0)
  throw new Error(`--warm-up must be an integer ≥ 0, got ${arg('--warm-up')}`);

/**
 * The V8 flags the device launcher (apps/device/deploy/tinylcm-device.service) starts Node with.
 * `--liftoff-only` costs the native backends nothing (it only concerns WebAssembly) and keeps the
 * LiteRT.js fallback's memory down; `--max-semi-space-size=1` stops per-frame garbage from growing
 * the young generation.
 */
export const LAUNCHER_FLAGS = ['--liftoff-only', '--max-semi-space-size=1'];

interface Variant {
  backend: 'auto' | 'xnnpack' | 'onnx' | 'litert';
  threads?: number | 'auto';
  flags: string[];
  launcherDefault?: true;
}

const VARIANTS: Variant[] = [
  { backend: 'auto', flags: LAUNCHER_FLAGS, launcherDefault: true },
  { backend: 'auto', threads: 'auto', flags: LAUNCHER_FLAGS }, // device.json "threads": "auto"
  { backend: 'xnnpack', threads: 1, flags: [] },
  { backend: 'xnnpack', threads: 2, flags: [] },
  { backend: 'onnx', threads: 1, flags: [] },
  { backend: 'onnx', threads: 2, flags: [] },
  { backend: 'litert', threads: 1, flags: [] },
  { backend: 'litert', threads: 1, flags: ['--liftoff-only'] },
  { backend: 'litert', threads: 2, flags: [] },
];

/** Compiles the child to one ES module (our TypeScript bundled, npm packages left external). */
async function compileChild(): Promise<string> {
  // One file per run: node_modules may be hard-linked between checkouts, and esbuild writes in
  // place, so a shared name lets another checkout's bench swap the child under this one.
  const outfile = path.join(REPO, `node_modules/.cache/tinymlops-bench/device-pipeline-run-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(REPO, 'bench/device-pipeline-run.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [
      {
        name: 'external-npm-packages',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@tinymlops/') ? undefined : { external: true }));
        },
      },
    ],
  });
  return outfile;
}

type ChildRow = Omit<DeviceBenchRow, 'ratioToTfLite' | 'loadAverage1m' | 'runner'>;

function runChild(model: string, v: Variant, compiled: string, extra: string[]): ChildRow | undefined {
  const args = [
    ...v.flags,
    compiled,
    ...['--model', model, '--frames', String(frames), '--warm-up', String(warmUp), '--clock', clock],
    ...['--repo', REPO, '--backend', v.backend],
    ...(v.threads ? ['--threads', String(v.threads)] : []),
    ...(v.launcherDefault ? ['--camera'] : []), // camera-size preprocessing, measured once per model
    ...extra,
  ];
  try {
    // The compiled child cannot find the addon relative to itself: tell it where the build is.
    const env = { ...process.env, TINYLCM_XNNPACK_ADDON: path.join(REPO, XNNPACK_ADDON) };
    const out = execFileSync(process.execPath, args, {
      cwd: REPO,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').at(-1) ?? '') as ChildRow;
  } catch (e) {
    const why = String((e as { stderr?: string }).stderr ?? e)
      .trim()
      .split('\n')
      .filter((l) => /error/i.test(l))
      .at(-1);
    console.log(`!! ${model}, ${v.backend} ${v.threads ?? 'default'} threads: not run (${why ?? 'failed'})`);
    return undefined;
  }
}

const XNNPACK_ADDON = 'packages/tinylcm/native/xnnpack/build/tinylcm_xnnpack.node';

/** ONNX twin of the prototype's model for the onnx rows, converted now (it has none of its own). */
function pocOnnxTwin(tflite: string, dir: string): string | undefined {
  const python = comparatorPython(REPO);
  if (!python) return undefined;
  const out = path.join(dir, 'model_object.onnx');
  try {
    const script = path.join(REPO, 'examples/model-training/tflite_to_onnx.py');
    execFileSync(python, [script, tflite, out], { stdio: ['ignore', 'ignore', 'pipe'] });
    return out;
  } catch {
    console.log('!! could not convert the prototype model to ONNX; its onnx rows are skipped');
    return undefined;
  }
}

const shared = sharedDir();
const only = arg('--models')?.split(',');
const models = ['fashion-mnv2', ...(shared ? ['poc-object'] : [])].filter((m) => !only || only.includes(m));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tinylcm-bench-device-'));
const compiled = await compileChild();
const rows: DeviceBenchRow[] = [];
const tflite = new Map<string, TfLiteResult | undefined>();
if (!existsSync(path.join(REPO, XNNPACK_ADDON))) console.log('!! XNNPACK addon not built (npm run build:xnnpack)');
for (const model of models) {
  const poc = model === 'poc-object';
  const file = poc
    ? path.join(shared ?? '', POC_DIR, 'model_object.tflite')
    : path.join(REPO, 'models/fashion-mnv2/model.tflite');
  const { loadBundle } = await import('../packages/tinylcm/src/bundle/load-bundle.js');
  const spec = poc ? POC_INPUT : (await loadBundle(path.join(REPO, 'models/fashion-mnv2'))).manifest.input;
  const tf = await measureTfLite(REPO, file, spec, frames);
  tflite.set(model, tf);
  const twin = poc ? pocOnnxTwin(file, tmp) : undefined;
  const extra = [...(shared ? ['--shared', shared] : []), ...(twin ? ['--poc-onnx', twin] : [])];
  for (const v of VARIANTS) {
    if (poc && v.backend === 'onnx' && !twin) continue;
    const row = runChild(model, v, compiled, extra);
    if (!row) continue;
    // TF Lite's single-thread CPU time is its latency on an idle core; multi-thread rows (wall
    // time) are compared with it too, so a loaded machine can only make their ratio worse.
    const refMs = tf?.runs.find((r) => r.threads === 1)?.cpuMsMedian;
    rows.push({
      ...row,
      runner: 'js',
      ratioToTfLite: refMs ? Number((row.inferenceMsMedian / refMs).toFixed(2)) : null,
      ...(v.launcherDefault ? { launcherDefault: true } : {}),
      loadAverage1m: Number((os.loadavg()[0] ?? 0).toFixed(2)),
    });
  }
}
rmSync(tmp, { recursive: true, force: true });
rmSync(compiled, { force: true });

const report = deviceBenchReport(rows, tflite, { frames, warmUp, clock, launcherFlags: LAUNCHER_FLAGS });
console.log(report.text);
if (!argv.includes('--no-append')) appendBenchmarks(report.section);
if (argv.includes('--json')) console.log(JSON.stringify(rows));
