import { encodeFloat32 } from '@tinymlops/contracts';
import type { KnnNeighbour, KnnPrediction } from './classify/knn-classifier.js';
import { DetectorSet, type DetectorSetMember, type DriftEpisodeEvent } from './drift/detector-set.js';
import type { ImageAttachment } from './log/data-logger.js';

/** Turns a frame into a raw feature vector (a model runtime behind it). `preprocess` is timed apart. */
export interface FeatureExtractor<F, I = F> {
  preprocess?(frame: F): I | Promise<I>;
  extract(input: I): Float32Array | Promise<Float32Array>;
}

/** The classifier seam (`KnnClassifier` fits). */
export interface Classifier {
  predict(features: Float32Array): KnnPrediction;
}

/** The transform seam (`FeatureTransform` fits). */
export interface Transform {
  readonly outputDim: number;
  apply(x: Float32Array, out?: Float32Array): Float32Array;
}

/** A detector wired into the pipeline (a {@link DetectorSetMember}). */
export type PipelineDetector = DetectorSetMember;

/**
 * An episode boundary of the pipeline's detector set (a {@link DriftEpisodeEvent}). The set emits
 * only `start` and `end`; `drift` is the per-frame signal of the loop it replaced, kept in the type
 * until the device code that still checks for it is gone.
 */
export type PipelineDriftEvent = DriftEpisodeEvent | (Omit<DriftEpisodeEvent, 'phase'> & { phase: 'drift' });

/** Per-stage wall times of one frame, ms. */
export interface StageTimings {
  preprocessMs?: number;
  inferenceMs: number;
  transformMs: number;
  classifyMs: number;
  driftMs: number;
  logMs: number;
  totalMs: number;
}

/** What `process` returns; the caller owns every part of it. */
export interface PipelineResult {
  frameIndex: number;
  label: string | null;
  confidence: number;
  meanDistance: number;
  neighbours: KnnNeighbour[];
  features: Float32Array;
  driftEvents: PipelineDriftEvent[];
  /** The detector set after this frame: whether an episode is open, and its number. */
  drift: { inEpisode: boolean; episode: number };
  timings: StageTimings;
}

/** Components of a pipeline; only `extractor` and `classifier` are required. */
export interface PipelineOptions<F, I = F> {
  extractor: FeatureExtractor<F, I>;
  transform?: Transform;
  classifier: Classifier;
  /** The drift stage: a detector set (e.g. from config entries via `buildDetectorSet`). */
  drift?: DetectorSet;
  /** Detector instances, run as a set when `drift` is not given. */
  detectors?: DetectorSetMember[];
  log?: { append(fields: Record<string, unknown>, image?: ImageAttachment): number };
  /** Also log the transformed features (f32 base64) of every frame (default true). */
  logFeatures?: boolean;
  monitor?: { begin(): number; end(mark: number, latencyMs: number): void };
  /** Monotonic clock in ms for stage timings (default `performance.now`). */
  clock?: () => number;
}

/** A running pipeline. */
export interface Pipeline<F> {
  /** Runs one frame through every stage; calls are queued, never interleaved. */
  process(frame: F, extras?: { image?: ImageAttachment }): Promise<PipelineResult>;
  /** Frames processed so far. */
  readonly frames: number;
}

/**
 * Composes the device data path (DESIGN §4): preprocess → extract → transform → classify → drift →
 * log, timing every stage and bracketing the inference work (not the logging) for the operational
 * monitor. A dimension mismatch between stages throws instead of passing vectors on silently.
 * @example
 * const pipeline = createPipeline({ extractor, transform, classifier: knn,
 *   detectors: [{ name: 'knn-distance', detector: monitor }], log, monitor: ops });
 * const { label, driftEvents, timings } = await pipeline.process(jpegBytes, { image: { bytes: jpegBytes, ext: 'jpg' } });
 */
export function createPipeline<F, I = F>(options: PipelineOptions<F, I>): Pipeline<F> {
  const clock = options.clock ?? (() => performance.now());
  const drift = options.drift ?? new DetectorSet(options.detectors ?? []);
  let frames = 0;
  let tail: Promise<unknown> = Promise.resolve();

  async function run(frame: F, image: ImageAttachment | undefined): Promise<PipelineResult> {
    const frameIndex = frames++;
    const mark = options.monitor?.begin() ?? 0;
    const t0 = clock();
    const input = options.extractor.preprocess ? await options.extractor.preprocess(frame) : (frame as unknown as I);
    const t1 = clock();
    const raw = await options.extractor.extract(input);
    const t2 = clock();
    const features = options.transform
      ? options.transform.apply(raw, new Float32Array(options.transform.outputDim))
      : raw;
    const t3 = clock();
    const p = options.classifier.predict(features);
    const prediction = { label: p.label, confidence: p.confidence, meanDistance: p.meanDistance, neighbours: p.neighbours.map((n) => ({ ...n })) }; // prettier-ignore
    const t4 = clock();
    const driftEvents = drift.update({ ...prediction, features }, frameIndex);
    const t5 = clock();
    options.monitor?.end(mark, t5 - t0);
    const timings: StageTimings = {
      ...(options.extractor.preprocess ? { preprocessMs: t1 - t0 } : {}),
      inferenceMs: t2 - t1,
      transformMs: t3 - t2,
      classifyMs: t4 - t3,
      driftMs: t5 - t4,
      logMs: 0,
      totalMs: 0,
    };
    const state = { inEpisode: drift.inEpisode, episode: drift.episode };
    const result = { frameIndex, ...prediction, features, driftEvents, drift: state, timings };
    if (options.log) options.log.append(logFields(result, options.logFeatures ?? true, t5 - t0), image);
    const t6 = clock();
    timings.logMs = t6 - t5;
    timings.totalMs = t6 - t0;
    return result;
  }

  return {
    process(frame, extras) {
      const next = tail.then(() => run(frame, extras?.image));
      tail = next.catch(() => undefined); // one failed frame must not wedge the queue
      return next;
    },
    get frames() {
      return frames;
    },
  };
}

function logFields(r: PipelineResult, withFeatures: boolean, latencyMs: number): Record<string, unknown> {
  return {
    frameIndex: r.frameIndex,
    label: r.label,
    confidence: r.confidence,
    meanDistance: Number.isFinite(r.meanDistance) ? r.meanDistance : null,
    neighbours: r.neighbours.map((n) => ({ label: n.label, distance: n.distance })),
    latencyMs,
    ...(withFeatures ? { features: encodeFloat32(r.features) } : {}),
    ...(r.driftEvents.length ? { driftEvents: r.driftEvents } : {}),
  };
}
