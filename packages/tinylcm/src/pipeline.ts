import type { KnnNeighbour, KnnPrediction } from './classify/knn-classifier.js';
import { isRawFrame } from './drift/pixel-statistics.js';
import { DetectorSet, type DetectorSetMember, type DriftEpisodeEvent } from './drift/detector-set.js';
import type { ImageAttachment } from './log/data-logger.js';
import { frameRecordJson, type FrameRecordSource } from './log/frame-record.js';

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

/** An episode boundary of the pipeline's detector set (a {@link DriftEpisodeEvent}): `start` or `end`. */
export type PipelineDriftEvent = DriftEpisodeEvent;

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
  /**
   * Where each frame's record goes (`DataLogger` fits): its JSON text, built without an object —
   * when the log writes in batches (`appendDeferred`), built at write time from the result's
   * `neighbours`, `features` and `driftEvents`, which callers therefore must not change.
   */
  log?: {
    appendJson(json: string, image?: ImageAttachment): number;
    appendDeferred?(json: () => string, image?: ImageAttachment): number;
  };
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
    const pre = options.extractor.preprocess;
    const prepared = pre ? pre(frame) : (frame as unknown as I);
    // A synchronous preprocessor's value is used as is: an await would cost a microtask per frame.
    const input = prepared instanceof Promise ? await prepared : (prepared as I);
    const t1 = clock();
    const raw = await options.extractor.extract(input);
    const t2 = clock();
    const transform = options.transform;
    const features = transform ? transform.apply(raw, new Float32Array(transform.outputDim)) : raw;
    // No transform stage (none, or run inside the model call): no clock reading for it either; a
    // CPU-time clock is a system call, which a benchmark would otherwise count as the stage's time.
    const t3 = transform ? clock() : t2;
    const p = options.classifier.predict(features);
    const neighbours = copyNeighbours(p.neighbours);
    const { label, confidence, meanDistance } = p;
    const t4 = clock();
    const pixels = isRawFrame(frame) ? frame : undefined;
    const signals = { label, confidence, meanDistance, neighbours, features, image: pixels };
    const driftEvents = drift.update(signals, frameIndex);
    const t5 = clock();
    options.monitor?.end(mark, t5 - t0);
    const timings = stageTimings(pre ? t1 - t0 : undefined, t2 - t1, t3 - t2, t4 - t3, t5 - t4);
    const state = { inEpisode: drift.inEpisode, episode: drift.episode };
    const result: PipelineResult = {
      frameIndex,
      label,
      confidence,
      meanDistance,
      neighbours,
      features,
      driftEvents,
      drift: state,
      timings,
    };
    if (options.log) {
      // The log's own copy of the fields (no spread: its generic path is slow on the frame path).
      const record = { frameIndex, label, confidence, meanDistance, neighbours, features, driftEvents };
      logFrame(options.log, record, options.logFeatures ?? true, t5 - t0, image);
    }
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

/** The classifier reuses its result object: a copy of what this frame keeps (a loop, no closures). */
function copyNeighbours(from: readonly KnnNeighbour[]): KnnNeighbour[] {
  const out = new Array<KnnNeighbour>(from.length);
  for (let j = 0; j < from.length; j++) {
    const n = from[j] as KnnNeighbour;
    out[j] = { label: n.label, distance: n.distance, index: n.index };
  }
  return out;
}

/**
 * Hands a frame's record to the log. After inference the caches are cold: building the JSON here
 * cost ~60–120 µs a frame against ~4 µs in a batch, so a log that writes in batches builds it then.
 * `r` is the pipeline's own copy of the result's fields (a caller may reassign the result's).
 */
function logFrame(
  log: NonNullable<PipelineOptions<unknown>['log']>,
  r: FrameRecordSource,
  withFeatures: boolean,
  latencyMs: number,
  image: ImageAttachment | undefined,
): void {
  if (log.appendDeferred) log.appendDeferred(() => frameRecordJson(r, withFeatures, latencyMs), image);
  else log.appendJson(frameRecordJson(r, withFeatures, latencyMs), image);
}

/**
 * A frame's timings (log and total filled in later). Two literals, no conditional spread: after a
 * 5 ms inference the spread's generic object-copy path cost ~25 µs a frame.
 */
function stageTimings(
  preprocessMs: number | undefined,
  inferenceMs: number,
  transformMs: number,
  classifyMs: number,
  driftMs: number,
): StageTimings {
  return preprocessMs === undefined
    ? { inferenceMs, transformMs, classifyMs, driftMs, logMs: 0, totalMs: 0 }
    : { preprocessMs, inferenceMs, transformMs, classifyMs, driftMs, logMs: 0, totalMs: 0 };
}
