import { encodeFloat32 } from '@tinymlops/contracts';
import { describe, expect, it } from 'vitest';
import { frameRecordJson, type FrameRecordSource } from './frame-record.js';

/** The record as a generic serialiser writes it: what frameRecordJson must equal after parsing. */
function viaObject(r: FrameRecordSource, withFeatures: boolean, latencyMs: number): unknown {
  const fields: Record<string, unknown> = {
    frameIndex: r.frameIndex,
    label: r.label,
    confidence: r.confidence,
    meanDistance: r.meanDistance,
    neighbours: r.neighbours.map((n) => ({ label: n.label, distance: n.distance })),
    latencyMs,
  };
  if (withFeatures) fields['features'] = encodeFloat32(r.features);
  if (r.driftEvents.length) fields['driftEvents'] = r.driftEvents;
  return JSON.parse(JSON.stringify(fields));
}

const base: FrameRecordSource = {
  frameIndex: 41,
  label: 'shirt "long" \\ sleeve\n',
  confidence: 0.1 + 0.2,
  meanDistance: 1234.5678901234567,
  neighbours: [
    { label: 'shirt "long" \\ sleeve\n', distance: 1e-7 },
    { label: 'bag', distance: 3.0000000000000004 },
    { label: 'ünïcødé ✓', distance: 1e21 },
  ],
  features: Float32Array.of(0.5, -1.25, 3.4028234663852886e38),
  driftEvents: [],
};

describe('frameRecordJson', () => {
  it('parses to the record JSON.stringify writes, for escapes, extreme numbers and optional parts', () => {
    const event = { kind: 'start', detector: 'knn-distance', frameIndex: 41, value: 2.5 };
    for (const r of [base, { ...base, driftEvents: [event] }]) {
      for (const withFeatures of [false, true]) {
        const text = frameRecordJson(r, withFeatures, 0.123456789);
        expect(JSON.parse(text)).toEqual(viaObject(r, withFeatures, 0.123456789));
        expect(text).toBe(JSON.stringify(viaObject(r, withFeatures, 0.123456789))); // same key order too
      }
    }
  });

  it('writes null for a missing label and for non-finite numbers, as JSON does', () => {
    const r = { ...base, label: null, confidence: Number.NaN, meanDistance: Number.POSITIVE_INFINITY, neighbours: [] };
    expect(JSON.parse(frameRecordJson(r, false, Number.NaN))).toEqual({
      frameIndex: 41,
      label: null,
      confidence: null,
      meanDistance: null,
      neighbours: [],
      latencyMs: null,
    });
  });
});
