import { TinyMLOpsError } from '@tinymlops/contracts';
import { describe, expect, it } from 'vitest';
import * as drift from './index.js';
import { DRIFT_DETECTORS, createDetector, restoreDetector, type DriftDetectorKind } from './registry.js';

const kinds = Object.keys(DRIFT_DETECTORS) as DriftDetectorKind[];

describe('DRIFT_DETECTORS', () => {
  it('builds every kind with its defaults, and the detector reports that kind', () => {
    for (const kind of kinds) {
      const d = createDetector(kind);
      expect(d.kind).toBe(kind);
      expect(d.options).toEqual(DRIFT_DETECTORS[kind].defaults);
      expect(JSON.parse(JSON.stringify(d.options))).toEqual(d.options);
    }
  });

  it('is frozen, entries and defaults included', () => {
    expect(Object.isFrozen(DRIFT_DETECTORS)).toBe(true);
    for (const kind of kinds) expect(Object.isFrozen(DRIFT_DETECTORS[kind].defaults)).toBe(true);
  });

  it('registers every detector class the package exports', () => {
    const classes = Object.values(drift).filter((v) => typeof v === 'function' && 'fromSnapshot' in v);
    expect(classes.length).toBe(kinds.length);
  });

  it('names the known kinds when asked for an unknown one', () => {
    expect(() => createDetector('page-hinkly' as DriftDetectorKind)).toThrow(
      /unknown drift detector kind "page-hinkly" \(known: page-hinkley, cusum, adwin/,
    );
    const err = (() => {
      try {
        restoreDetector({ kind: 'knn-distance', schemaVersion: 1, options: {}, state: {} });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TinyMLOpsError);
    expect((err as TinyMLOpsError).code).toBe('STATE_CORRUPT');
  });

  it('rejects malformed snapshots with the offending field', () => {
    expect(() => restoreDetector({ kind: 'adwin', schemaVersion: 0, options: {}, state: {} })).toThrow(/schemaVersion/);
    const snap = createDetector('cusum').snapshot();
    expect(() => restoreDetector({ ...snap, state: { ...snap.state, up: 'lots' } })).toThrow(
      'cusum snapshot: state "up" must be a number',
    );
    expect(() => restoreDetector({ ...snap, schemaVersion: 2 })).toThrow(/expected kind "cusum" v1, got "cusum" v2/);
  });

  it('validates options through the registry too', () => {
    expect(() => createDetector('adwin', { delta: 2 })).toThrow(/ADWIN: option "delta"/);
  });
});
