import type { LocalPrediction, ModelRef } from '@tinymlops/contracts';
import type { DeviceFrame } from '@tinymlops/tinylcm';

/**
 * The local output's view of one processed frame: its prediction and where it stands in the
 * device's drift episodes (the same episode state the drift reports and adaptation use).
 * @example
 * const p = toLocalPrediction(await device.processFrame(frame), { modelId: 'fashion-mnv2', version: '1.0.0' }, new Date());
 */
export function toLocalPrediction({ result, episode }: DeviceFrame, model: ModelRef, at: Date): LocalPrediction {
  const phase = episode.started ? 'start' : episode.ended ? 'end' : null;
  return {
    schemaVersion: 1,
    type: 'prediction',
    at: at.toISOString(),
    frameIndex: result.frameIndex,
    model,
    label: result.label,
    confidence: Math.min(1, Math.max(0, result.confidence)),
    meanDistance: Number.isFinite(result.meanDistance) ? result.meanDistance : null,
    latencyMs: Math.max(0, result.timings.totalMs),
    drift: { active: episode.episodeId !== undefined, episodeId: episode.episodeId ?? null, phase },
  };
}
