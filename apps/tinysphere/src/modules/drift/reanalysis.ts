import { TinyMLOpsError, type ReanalysisRequest, type ReanalysisResult } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { readBlob } from '../../storage/blob-store.js';

/** The part of TinyLCM's `DriftDetector` contract re-analysis uses (structural, so no copy of it). */
export interface ReplayDetector {
  readonly driftDetected: boolean;
  update(x: number): unknown;
}

/**
 * Builds a TinyLCM detector by registry kind and options; injected at app construction (wired
 * to `@tinymlops/tinylcm`'s detector registry), so the server never re-implements a detector.
 * Throws a TinyMLOpsError (INVALID_OPTION) for an unknown kind or bad options.
 */
export type DetectorFactory = (kind: string, options: Record<string, unknown>) => ReplayDetector;

/**
 * Replays a device's drift samples, oldest first, through a fresh detector and reports where
 * it fires. The signal is each sample's confidence or the L2 norm of its feature vector.
 * @example
 * const r = await reanalyse(ctx, 'dev_abc12345', { detector: { kind: 'page-hinkley', options: {} }, signal: 'confidence' });
 */
export async function reanalyse(ctx: AppContext, deviceId: string, req: ReanalysisRequest): Promise<ReanalysisResult> {
  if (!ctx.detectorFactory)
    throw new TinyMLOpsError('UNAVAILABLE', 'drift re-analysis is not configured on this server (no detector factory)');
  const detector = ctx.detectorFactory(req.detector.kind, req.detector.options);
  let q = ctx.db
    .selectFrom('drift_samples')
    .select(['sample_id', 'captured_at', 'confidence', 'features_key'])
    .where('device_id', '=', deviceId);
  if (req.since) q = q.where('captured_at', '>=', new Date(req.since));
  const rows = await q.orderBy('captured_at').orderBy('frame_index').limit(100_000).execute();
  const detections: ReanalysisResult['detections'] = [];
  for (const [index, r] of rows.entries()) {
    const x = req.signal === 'confidence' ? r.confidence : await featureNorm(ctx, r.features_key);
    detector.update(x);
    if (detector.driftDetected) {
      detections.push({ index, sampleId: r.sample_id, capturedAt: new Date(r.captured_at).toISOString() });
    }
  }
  return { schemaVersion: 1, deviceId, detector: req.detector.kind, samples: rows.length, detections };
}

async function featureNorm(ctx: AppContext, key: string): Promise<number> {
  const bytes = await readBlob(ctx.blobs, key);
  if (!bytes) return Number.NaN;
  const v = new Float32Array(Uint8Array.from(bytes).buffer); // copy: Buffer offsets need not be 4-aligned
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}
