/**
 * `npm run eval:adaptation:border [-- --seeds 7,1,2,3,4] [-- --dump DIR]`: why the fleet row misses
 * its goal. Runs the fleet row's devices (A learns from 10 labels, B gets A's samples) on each seed
 * and reports where B's first 100 new-class frames go when they are missed, which old-class frames
 * B loses to the new classes, and how well the norm of what the bundle's PCA discards (the
 * residual ‖z − Cᵀ·C·z‖ of the standardised 1280-d features; the PCA was fitted on the known
 * classes only) separates new from known frames. `--dump`
 * writes every frame's raw and transformed features and A's shared samples for the replay of
 * residual-aware gates in `examples/model-training/border_replay.py`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FASHION_MNIST_CLASSES } from '@tinymlops/testkit';
import { TransformDocument } from '@tinymlops/contracts';
import { FeatureTransform, loadBundle, type LoadedBundle } from '../packages/tinylcm/src/index.js';
import { loadBundleRuntime } from '../packages/tinylcm/src/bundle/bundle-runtime.js';
import { createPreprocessor } from '../packages/tinylcm/src/features/preprocess.js';
import { reporterSamples, runFleet } from './adaptation-fleet.js';
import { HELD_OUT_NAMES, STREAM, heldOutFrames, type StreamFrame } from './adaptation-stream.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FLEET_SEED_OFFSET = 1000;

/** A stream with each frame's raw model output (1280-d) beside the transformed features. */
interface RawStream {
  frames: StreamFrame[];
  raw: Float32Array[];
}

async function rawStream(bundle: LoadedBundle, seed: number): Promise<RawStream> {
  // No feature head: the raw output is what the residual needs; the JavaScript transform gives
  // the same features as the folded one within float32 rounding.
  const runtime = await loadBundleRuntime(bundle);
  const pre = createPreprocessor(bundle.manifest.input);
  const transform = FeatureTransform.fromDocument(bundle.transform);
  const frames = await heldOutFrames(seed);
  const out: RawStream = { frames: [], raw: [] };
  try {
    for (const f of frames) {
      const input = await pre.process({ data: f.pixels, width: f.width, height: f.height, channels: f.channels });
      const raw = Float32Array.from((await runtime.run(input)).get(runtime.featureTensor) ?? []);
      const truth = FASHION_MNIST_CLASSES[f.label] ?? String(f.label);
      const features = transform.apply(raw);
      out.frames.push({ index: out.frames.length, features, truth, heldOut: HELD_OUT_NAMES.includes(truth) });
      out.raw.push(raw);
    }
  } finally {
    runtime.dispose();
  }
  return out;
}

/** ‖(z − μ) − Cᵀ·C·(z − μ)‖ of the standardised vector z: what the PCA discards (C orthonormal). */
function residualNorm(doc: TransformDocument, raw: Float32Array, projected: Float32Array): number {
  const { scaler, pca } = doc;
  if (!scaler || !pca) throw new Error('the bundle transform needs a scaler and a PCA');
  let all = 0;
  for (let i = 0; i < raw.length; i++) {
    const standard = ((raw[i] as number) - (scaler.mean[i] as number)) / (scaler.scale[i] as number);
    const z = standard - (pca.mean[i] as number);
    all += z * z;
  }
  let kept = 0;
  for (const p of projected) kept += p * p;
  return Math.sqrt(Math.max(all - kept, 0));
}

/** Probability that a random new-class frame scores above a random known-class frame. */
function auc(pos: number[], neg: number[]): number {
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

function tally(pairs: string[]): string {
  const counts = new Map<string, number>();
  for (const p of pairs) counts.set(p, (counts.get(p) ?? 0) + 1);
  return (
    [...counts]
      .sort((x, y) => y[1] - x[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || '–'
  );
}

const join = (rows: Float32Array[]) =>
  Buffer.concat(rows.map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength)));
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

async function diagnose(bundle: LoadedBundle, seed: number, dump: string | undefined): Promise<void> {
  const a = await rawStream(bundle, seed);
  const b = await rawStream(bundle, seed + FLEET_SEED_OFFSET);
  const fleet = await runFleet(bundle, a.frames, b.frames, 10);
  const start = STREAM.episodes[0].start;
  const firstSight = b.frames.filter((f) => f.heldOut && f.index >= start && f.index < start + STREAM.window);
  const missed = firstSight.filter((f) => fleet.predicted[f.index] !== f.truth);
  const old = b.frames.filter((f) => !f.heldOut && f.index >= start);
  const lost = old.filter((f) => fleet.baseline[f.index] === f.truth && fleet.predicted[f.index] !== f.truth);
  const doc = TransformDocument.parse(bundle.transform);
  const residual = b.frames.map((f, i) => residualNorm(doc, b.raw[i] as Float32Array, f.features));
  const byClass = (c: string) => mean(b.frames.filter((f) => f.truth === c).map((f) => residual[f.index] as number));
  const held = b.frames.filter((f) => f.heldOut).map((f) => residual[f.index] as number);
  const known = b.frames.filter((f) => !f.heldOut).map((f) => residual[f.index] as number);
  console.log(`\n## seed ${seed} (B: seed ${seed + FLEET_SEED_OFFSET})`);
  console.log(`B's first-sight new-class frames missed: ${missed.length} of ${firstSight.length}`);
  console.log(`  truth → predicted: ${tally(missed.map((f) => `${f.truth} → ${fleet.predicted[f.index]}`))}`);
  console.log(`B's old-class frames lost to sharing: ${lost.length} of ${old.length}`);
  console.log(`  truth → predicted: ${tally(lost.map((f) => `${f.truth} → ${fleet.predicted[f.index]}`))}`);
  const classes = [...new Set(b.frames.map((f) => f.truth))].sort();
  console.log(`PCA residual norm, mean per class: ${classes.map((c) => `${c} ${byClass(c).toFixed(2)}`).join(', ')}`);
  console.log(`  new vs known frames, AUC: residual ${auc(held, known).toFixed(3)}`);
  if (dump) await writeDump(dump, bundle, seed, a, b);
}

async function writeDump(dir: string, bundle: LoadedBundle, seed: number, a: RawStream, b: RawStream) {
  mkdirSync(dir, { recursive: true });
  for (const [s, stream] of [
    [seed, a],
    [seed + FLEET_SEED_OFFSET, b],
  ] as const) {
    writeFileSync(path.join(dir, `raw-${s}.f32`), join(stream.raw));
    writeFileSync(path.join(dir, `tf-${s}.f32`), join(stream.frames.map((f) => f.features)));
    writeFileSync(path.join(dir, `truth-${s}.json`), JSON.stringify(stream.frames.map((f) => f.truth)));
  }
  const samples = await reporterSamples(bundle, a.frames, 10);
  const shared = samples.map((x) => ({ idx: Number(x.sampleId.slice('smp_a'.length)), label: x.truth }));
  writeFileSync(path.join(dir, `shared-${seed}.json`), JSON.stringify(shared));
}

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log('usage: npm run eval:adaptation:border -- [--seeds 7,1,2,3,4] [--dump DIR]');
    return;
  }
  const seeds = (argValue('--seeds') ?? String(STREAM.seed)).split(',').map(Number);
  if (!seeds.every(Number.isInteger)) throw new Error('--seeds takes integers, e.g. --seeds 7,1,2,3,4');
  const dump = argValue('--dump');
  const bundle = await loadBundle(path.join(ROOT, 'models/fashion-mnv2'));
  for (const seed of seeds) await diagnose(bundle, seed, dump && path.resolve(dump));
}

await main();
