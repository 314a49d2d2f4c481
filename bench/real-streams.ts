/**
 * Real drift streams: the device data path (`loadBundlePipeline('models/fashion-mnv2')`: area resize,
 * LiteRT int8 model, scaler + PCA, 200-sample KNN) over scenario streams of the committed
 * Fashion-MNIST sample. Per frame it records what the detectors consume: mean KNN distance,
 * confidence, predicted class, neighbour labels, the first 16 PCA components and an error bit
 * (prediction ≠ true class; a held-out class is always an error). Recordings are cached in
 * `bench/.cache/` keyed by the model's sha256 and the scenario plan, so reruns skip inference.
 * `npx tsx bench/real-streams.ts` records (or loads) them and prints a per-scenario summary.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundlePipeline, type DriftStream } from '@tinymlops/tinylcm';
import { FASHION_MNIST_CLASSES, readFashionMnist, scenarioStream, type ImageSet } from '@tinymlops/testkit';
import { REAL_SCENARIOS, type RealScenario } from './real-scenarios.js';

const MODEL_DIR = fileURLToPath(new URL('../models/fashion-mnv2', import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('./.cache/', import.meta.url));
/** PCA components recorded for the vector detectors (the leading ones carry most variance). */
const VECTOR_DIM = 16;

/** One scenario's recording, column-wise (what the cache file holds). */
export interface Recording {
  readonly scenario: string;
  readonly driftPoints: number[];
  readonly deltaMax: number;
  readonly labels: number[];
  readonly distance: number[];
  readonly confidence: number[];
  readonly predicted: string[];
  readonly neighbours: string[][];
  readonly vector: number[][];
  readonly error: boolean[];
}

/** The label-independent part of one frame's record. */
interface Frame {
  distance: number;
  confidence: number;
  predicted: string;
  neighbours: string[];
  vector: number[];
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

async function record(plan: readonly RealScenario[], set: ImageSet): Promise<Recording[]> {
  const dp = await loadBundlePipeline(MODEL_DIR, { knnDistance: false });
  // The pipeline is stateless per frame (the KNN does not learn here), so an image seen before
  // (uncorrupted draws repeat: 2,000 images feed > 30,000 frames) reuses its recorded output.
  const memo = new Map<string, Frame>();
  const out: Recording[] = [];
  try {
    for (const sc of plan) {
      const { frames, episodes } = scenarioStream(set, sc.options);
      const rec: Recording = {
        scenario: sc.name,
        driftPoints: episodes.map((e) => e.start),
        deltaMax: sc.deltaMax,
        labels: [],
        distance: [],
        confidence: [],
        predicted: [],
        neighbours: [],
        vector: [],
        error: [],
      };
      for (const f of frames) {
        const key = Buffer.from(f.pixels.buffer, f.pixels.byteOffset, f.pixels.byteLength).toString('base64');
        let fr = memo.get(key);
        if (!fr) {
          const r = await dp.pipeline.process({ data: f.pixels, width: f.width, height: f.height, channels: 1 });
          fr = {
            distance: round(r.meanDistance, 5),
            confidence: round(r.confidence, 5),
            predicted: r.label ?? '?',
            neighbours: r.neighbours.map((n) => n.label),
            vector: Array.from(r.features.subarray(0, VECTOR_DIM), (x) => round(x, 4)),
          };
          memo.set(key, fr);
        }
        rec.labels.push(f.label);
        rec.distance.push(fr.distance);
        rec.confidence.push(fr.confidence);
        rec.predicted.push(fr.predicted);
        rec.neighbours.push(fr.neighbours);
        rec.vector.push(fr.vector);
        rec.error.push(fr.predicted !== FASHION_MNIST_CLASSES[f.label]);
      }
      out.push(rec);
    }
  } finally {
    dp.dispose();
  }
  return out;
}

/** sha256 of the model file (from the verified manifest) + hash of the scenario plan. */
function cacheFile(plan: readonly RealScenario[]): string {
  const manifest = JSON.parse(readFileSync(`${MODEL_DIR}/bundle.json`, 'utf8')) as {
    files: { path: string; sha256: string }[];
  };
  const model = manifest.files.find((f) => f.path === 'model.tflite')?.sha256 ?? 'unknown';
  const state = manifest.files.find((f) => f.path === 'knn-state.json')?.sha256 ?? 'unknown';
  const planHash = createHash('sha256').update(JSON.stringify({ plan, state, VECTOR_DIM })).digest('hex');
  return `${CACHE_DIR}real-${model.slice(0, 16)}-${planHash.slice(0, 12)}.json`;
}

/** Recordings of every real scenario, from the cache when it matches the model and plan. */
export async function realRecordings(plan: readonly RealScenario[] = REAL_SCENARIOS): Promise<Recording[]> {
  const file = cacheFile(plan);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Recording[];
  const recs = await record(plan, await readFashionMnist());
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify(recs));
  return recs;
}

const classIndex = (label: string): number => (FASHION_MNIST_CLASSES as readonly string[]).indexOf(label);

/** The detector input streams of one recording: one DriftStream per input signal. */
export function streamsOf(rec: Recording): DriftStream[] {
  const base = { driftPoints: rec.driftPoints, deltaMax: rec.deltaMax };
  const name = (signal: string) => `real ${rec.scenario}: ${signal}`;
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

/** Every real stream, recorded or from the cache. */
export async function realStreams(): Promise<DriftStream[]> {
  return (await realRecordings()).flatMap(streamsOf);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const recs = await realRecordings();
  for (const r of recs) {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const inEp = (i: number) => r.driftPoints.some((d) => i >= d && i < d + r.deltaMax);
    const idx = r.distance.map((_, i) => i);
    const on = idx.filter(inEp);
    const off = idx.filter((i) => !inEp(i));
    const d = (ix: number[]) => mean(ix.map((i) => r.distance[i]!)).toFixed(2);
    const e = (ix: number[]) => mean(ix.map((i) => (r.error[i] ? 1 : 0))).toFixed(3);
    console.log(
      `${r.scenario}: ${r.distance.length} frames, ${r.driftPoints.length} episodes; distance off ${d(off)} on ${d(on)}; error off ${e(off)} on ${e(on)}`,
    );
  }
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
