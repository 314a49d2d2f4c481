import { encodeFloat32 } from '@tinymlops/contracts';
import type { KnnNeighbour } from '../classify/knn-classifier.js';

/** What a logged frame record is built from (a pipeline result's fields). */
export interface FrameRecordSource {
  frameIndex: number;
  label: string | null;
  confidence: number;
  meanDistance: number;
  neighbours: readonly Pick<KnnNeighbour, 'label' | 'distance'>[];
  features: Float32Array;
  driftEvents: readonly unknown[];
}

/** A number as `JSON.stringify` writes it (NaN and ±Infinity become null). */
const num = (x: number): string => (Number.isFinite(x) ? String(x) : 'null');

/**
 * The JSON text of one frame's log record, `{frameIndex, label, confidence, meanDistance,
 * neighbours: [{label, distance}], latencyMs[, features][, driftEvents]}`, written straight into
 * one string: no record object, no neighbour copies, no generic serialiser walk per frame (the
 * log stage ran ~90 µs per frame through `JSON.stringify` of an object). `JSON.parse` of it gives
 * exactly the record `JSON.stringify` would have written for those fields (tested).
 * @example
 * log.appendJson(frameRecordJson(result, false, 12.5));
 */
export function frameRecordJson(r: FrameRecordSource, withFeatures: boolean, latencyMs: number): string {
  let s = `{"frameIndex":${r.frameIndex},"label":${JSON.stringify(r.label)},"confidence":${num(r.confidence)}`;
  s += `,"meanDistance":${num(r.meanDistance)},"neighbours":[`;
  for (let j = 0; j < r.neighbours.length; j++) {
    const n = r.neighbours[j] as Pick<KnnNeighbour, 'label' | 'distance'>;
    s += `${j === 0 ? '' : ','}{"label":${JSON.stringify(n.label)},"distance":${num(n.distance)}}`;
  }
  s += `],"latencyMs":${num(latencyMs)}`;
  if (withFeatures) s += `,"features":${JSON.stringify(encodeFloat32(r.features))}`;
  if (r.driftEvents.length > 0) s += `,"driftEvents":${JSON.stringify(r.driftEvents)}`;
  return `${s}}`;
}
