/**
 * Real drift streams: the device data path (`loadBundlePipeline('models/fashion-mnv2')`: area resize,
 * LiteRT int8 model, scaler + PCA, 200-sample KNN) over scenario streams of the committed
 * Fashion-MNIST sample, as independent draws or as correlated camera-like streams
 * (bench/real-held-frames.ts). Per frame it records what the detectors consume: mean KNN distance,
 * confidence, predicted class, neighbour labels, the transformed features (all of them in a binary
 * side file, the first 16 in the JSON) and an error bit (prediction ≠ true class; a held-out class
 * is always an error). Recordings are cached in `bench/.cache/` keyed by the model's sha256, the
 * scenario plan and the variant, so reruns skip inference.
 * `npx tsx bench/real-streams.ts [--variant correlated|jitter] [--seed N]` records (or loads) one
 * family and prints a per-scenario summary.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundlePipeline, type DriftStream, type RawFrame } from '@tinymlops/tinylcm';
import { FASHION_MNIST_CLASSES, readFashionMnist, scenarioStream, type ScenarioFrame } from '@tinymlops/testkit';
import { holdScenes, type HoldPlan } from './real-held-frames.js';
import { REAL_SCENARIOS, type RealScenario } from './real-scenarios.js';

const MODEL_DIR = fileURLToPath(new URL('../models/fashion-mnv2', import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('./.cache/', import.meta.url));
/**
 * The pipeline of the recordings, without detectors (they run on the recordings). LiteRT is pinned:
 * the golden test checks it against the training script, and a recording must not depend on which
 * faster backend this machine happens to build.
 */
export const RECORDING_PIPELINE = { drift: [], inference: { backend: 'litert' } } as const;
/** PCA components kept in the JSON for the vector detectors (the leading ones carry most variance). */
const VECTOR_DIM = 16;

/** A family of streams: independent draws, or scenes held 1–30 frames (exactly, or with sensor jitter). */
export interface StreamFamily {
  /** '' for the first independent family; otherwise words that go into the stream names. */
  readonly name: string;
  /** Seed 1 draws the images of `REAL_SCENARIOS`; seed s adds (s − 1) · 1000 to each scenario's seed. */
  readonly seed: number;
  readonly hold: HoldPlan | null;
}

/** Independent draws; seed 1 is the family of the stream names without a family word. */
export function independentFamily(seed: number): StreamFamily {
  return { name: seed === 1 ? '' : `independent s${seed}`, seed, hold: null };
}

/** The correlated family of a seed; `jitter` makes every frame of a held scene a fresh sensor reading. */
export function correlatedFamily(seed: number, jitter: boolean): StreamFamily {
  const name = `correlated${jitter ? ' jitter' : ''} s${seed}`;
  return { name, seed, hold: { seed, jitter, minHold: 1, maxHold: 30 } };
}

export const INDEPENDENT: StreamFamily = independentFamily(1);

const seedOffset = (family: StreamFamily) => (family.seed - 1) * 1000;

/** One scenario's recording, column-wise (what the cache file holds), plus every frame's full features. */
export interface Recording {
  readonly scenario: string;
  readonly family: string;
  readonly driftPoints: number[];
  readonly deltaMax: number;
  readonly labels: number[];
  readonly distance: number[];
  readonly confidence: number[];
  readonly predicted: string[];
  readonly neighbours: string[][];
  readonly vector: number[][];
  readonly error: boolean[];
  /** Length of each frame's feature vector in `features`. */
  readonly dim: number;
  /** Frame i's transformed features are `features.subarray(i * dim, (i + 1) * dim)`. */
  features: Float32Array;
}

interface Frame {
  distance: number;
  confidence: number;
  predicted: string;
  neighbours: string[];
  features: Float32Array;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The frames of one scenario stream of a family (deterministic: the images a recording saw). */
export function framesOf(sc: RealScenario, family: StreamFamily, set: Parameters<typeof scenarioStream>[0]) {
  const { frames, episodes } = scenarioStream(set, {
    ...sc.options,
    seed: (sc.options.seed ?? 1) + seedOffset(family),
  });
  const all: ScenarioFrame[] = [...frames];
  return { frames: family.hold ? holdScenes(all, episodes, family.hold) : all, episodes };
}

function emptyRecording(
  sc: RealScenario,
  family: StreamFamily,
  episodes: readonly { start: number }[],
  frames: number,
  dim: number,
): Recording {
  const columns = { labels: [], distance: [], confidence: [], predicted: [], neighbours: [], vector: [], error: [] };
  const features = new Float32Array(frames * dim);
  const driftPoints = episodes.map((e) => e.start);
  return { scenario: sc.name, family: family.name, driftPoints, deltaMax: sc.deltaMax, ...columns, dim, features };
}

async function record(plan: readonly RealScenario[], family: StreamFamily): Promise<Recording[]> {
  const set = await readFashionMnist();
  const dp = await loadBundlePipeline(MODEL_DIR, RECORDING_PIPELINE);
  const dim = dp.transform?.outputDim ?? dp.bundle.manifest.featureTensor.dim;
  // The pipeline is stateless per frame (the KNN does not learn here), so an image seen before
  // (draws repeat, held scenes repeat exactly) reuses its recorded output.
  const memo = new Map<string, Frame>();
  const out: Recording[] = [];
  try {
    for (const sc of plan) {
      const t0 = Date.now();
      const { frames, episodes } = framesOf(sc, family, set);
      const rec = emptyRecording(sc, family, episodes, frames.length, dim);
      for (const [i, f] of frames.entries()) {
        const key = Buffer.from(f.pixels.buffer, f.pixels.byteOffset, f.pixels.byteLength).toString('base64');
        let fr = memo.get(key);
        if (!fr) {
          const r = await dp.pipeline.process({ data: f.pixels, width: f.width, height: f.height, channels: 1 });
          fr = {
            distance: round(r.meanDistance, 5),
            confidence: round(r.confidence, 5),
            predicted: r.label ?? '?',
            neighbours: r.neighbours.map((n) => n.label),
            features: r.features.slice(),
          };
          memo.set(key, fr);
        }
        rec.labels.push(f.label);
        rec.distance.push(fr.distance);
        rec.confidence.push(fr.confidence);
        rec.predicted.push(fr.predicted);
        rec.neighbours.push(fr.neighbours);
        rec.vector.push(Array.from(fr.features.subarray(0, VECTOR_DIM), (x) => round(x, 4)));
        rec.features.set(fr.features, i * dim);
        rec.error.push(fr.predicted !== FASHION_MNIST_CLASSES[f.label]);
      }
      const seconds = ((Date.now() - t0) / 1000).toFixed(0);
      const what = `${family.name || 'independent'} ${sc.name}`;
      process.stderr.write(`recorded ${what}: ${frames.length} frames, ${seconds} s\n`);
      out.push(rec);
    }
  } finally {
    dp.dispose();
  }
  return out;
}

/** sha256 of the model file (from the verified manifest) + hash of the scenario plan and family. */
function cacheFile(plan: readonly RealScenario[], family: StreamFamily): string {
  const manifest = JSON.parse(readFileSync(`${MODEL_DIR}/bundle.json`, 'utf8')) as {
    files: { path: string; sha256: string }[];
  };
  const model = manifest.files.find((f) => f.path === 'model.tflite')?.sha256 ?? 'unknown';
  const state = manifest.files.find((f) => f.path === 'knn-state.json')?.sha256 ?? 'unknown';
  const offset = seedOffset(family);
  const variant = { hold: family.hold, features: 'f32', ...(offset ? { offset } : {}) };
  const key = JSON.stringify({ plan, state, VECTOR_DIM, ...variant });
  const planHash = createHash('sha256').update(key).digest('hex');
  return `${CACHE_DIR}real-${model.slice(0, 16)}-${planHash.slice(0, 12)}`;
}

/** Recordings of every real scenario of a family, from the cache when it matches the model, plan and family. */
export async function realRecordings(
  family: StreamFamily = INDEPENDENT,
  plan: readonly RealScenario[] = REAL_SCENARIOS,
): Promise<Recording[]> {
  const file = cacheFile(plan, family);
  if (existsSync(`${file}.json`) && existsSync(`${file}.f32`)) {
    const recs = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as Recording[];
    const all = readFileSync(`${file}.f32`);
    const floats = new Float32Array(all.buffer, all.byteOffset, all.byteLength / 4);
    let at = 0;
    for (const r of recs) {
      r.features = floats.subarray(at, at + r.labels.length * r.dim);
      at += r.labels.length * r.dim;
    }
    return recs;
  }
  const recs = await record(plan, family);
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(`${file}.json`, JSON.stringify(recs.map((r) => ({ ...r, features: [] }))));
  const bytes = recs.map((r) => Buffer.from(r.features.buffer, r.features.byteOffset, r.features.byteLength));
  writeFileSync(`${file}.f32`, Buffer.concat(bytes));
  return recs;
}

/**
 * The raw frames of every recording of a family, regenerated (no model): what the device's pixel
 * detectors read. Frame i of `realFrames(f)[k]` is frame i of `realRecordings(f)[k]`.
 */
export async function realFrames(
  family: StreamFamily = INDEPENDENT,
  plan: readonly RealScenario[] = REAL_SCENARIOS,
): Promise<RawFrame[][]> {
  const set = await readFashionMnist();
  return plan.map((sc) =>
    framesOf(sc, family, set).frames.map((f) => ({ data: f.pixels, width: f.width, height: f.height, channels: 1 })),
  );
}

const classIndex = (label: string): number => (FASHION_MNIST_CLASSES as readonly string[]).indexOf(label);

/** `real <family> <scenario>: <signal>`, the stream names of the report. */
export function realStreamName(rec: Pick<Recording, 'family' | 'scenario'>, signal: string): string {
  return `real ${rec.family ? `${rec.family} ` : ''}${rec.scenario}: ${signal}`;
}

/** The detector input streams of one recording: one DriftStream per input signal. */
export function streamsOf(rec: Recording): DriftStream[] {
  const base = { driftPoints: rec.driftPoints, deltaMax: rec.deltaMax };
  const name = (signal: string) => realStreamName(rec, signal);
  return [
    { ...base, name: name('knn distance'), inputType: 'number', values: rec.distance },
    { ...base, name: name('confidence'), inputType: 'number', values: rec.confidence },
    // Class indices (Fashion-MNIST order; the 8 known labels are 0–7), as PredictionDistribution takes them.
    { ...base, name: name('predicted class'), inputType: 'class', values: rec.predicted.map(classIndex) },
    { ...base, name: name('neighbours'), inputType: 'neighbours', values: rec.neighbours },
    { ...base, name: name(`features (PCA 1–${VECTOR_DIM})`), inputType: 'vector', values: rec.vector },
    { ...base, name: name('error'), inputType: 'boolean', values: rec.error },
  ];
}

function summary(r: Recording): string {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const inEp = (i: number) => r.driftPoints.some((d) => i >= d && i < d + r.deltaMax);
  const idx = r.distance.map((_, i) => i);
  const on = idx.filter(inEp);
  const off = idx.filter((i) => !inEp(i));
  const d = (ix: number[]) => mean(ix.map((i) => r.distance[i]!)).toFixed(2);
  const e = (ix: number[]) => mean(ix.map((i) => (r.error[i] ? 1 : 0))).toFixed(3);
  const frames = `${r.distance.length} frames, ${r.driftPoints.length} episodes`;
  return `${r.scenario}: ${frames}; distance off ${d(off)} on ${d(on)}; error off ${e(off)} on ${e(on)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (flag: string) => process.argv[process.argv.indexOf(flag) + 1];
  const variant = process.argv.includes('--variant') ? arg('--variant') : 'independent';
  const seed = Number(process.argv.includes('--seed') ? arg('--seed') : 1);
  if (!['independent', 'correlated', 'jitter'].includes(variant ?? '') || !Number.isInteger(seed))
    throw new Error('usage: npx tsx bench/real-streams.ts [--variant independent|correlated|jitter] [--seed N]');
  const family = variant === 'independent' ? independentFamily(seed) : correlatedFamily(seed, variant === 'jitter');
  const t0 = Date.now();
  for (const r of await realRecordings(family)) console.log(summary(r));
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
