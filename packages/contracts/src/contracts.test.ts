import { describe, expect, it } from 'vitest';
import { INVALID_DOCUMENTS } from './fixtures/invalid-documents.js';
import { VALID_DOCUMENTS } from './fixtures/valid-documents.js';
import { TOP_LEVEL_SCHEMAS, type TopLevelSchemaName } from './top-level-schemas.js';
import { issuesToDetails, parseOrThrow, TinyMLOpsError } from './tinymlops-error.js';
import { decodeFloat32, encodeFloat32 } from './float32-base64.js';

const names = Object.keys(TOP_LEVEL_SCHEMAS) as TopLevelSchemaName[];

describe('contracts', () => {
  it.each(names)('%s has at least one valid fixture and one invalid fixture', (name) => {
    expect(VALID_DOCUMENTS[name].length).toBeGreaterThan(0);
    expect(INVALID_DOCUMENTS.some((f) => f.schema === name)).toBe(true);
  });

  it.each(names.flatMap((n) => VALID_DOCUMENTS[n].map((doc, i) => [n, i, doc] as const)))(
    '%s valid fixture #%i parses, and parse → serialise → parse is identity',
    (name, _i, doc) => {
      const schema = TOP_LEVEL_SCHEMAS[name];
      const first = schema.parse(doc);
      const second = schema.parse(JSON.parse(JSON.stringify(first)));
      expect(second).toEqual(first);
    },
  );

  it.each(INVALID_DOCUMENTS.map((f) => [f.schema, f.why, f] as const))('%s rejects %s', (_s, _w, f) => {
    const r = TOP_LEVEL_SCHEMAS[f.schema].safeParse(f.doc);
    expect(r.success).toBe(false);
    const paths = issuesToDetails(r.error?.issues ?? []).map((d) => d.path);
    expect(paths).toContain(f.path);
  });

  it('every top-level document carries schemaVersion 1, except bodies people send to /api/v1 and envelopes', () => {
    // DetectorSnapshot carries its own per-detector schemaVersion; people's request bodies are
    // versioned by the /api/v1 path instead.
    const unversioned = [
      'ErrorEnvelope',
      'DetectorSnapshot',
      'ValidationRequest',
      'DeviceUpdate',
      'EnrolmentTokenRequest',
      'ApiTokenRequest',
      'AliasRequest',
      'AssignmentRequest',
      'BulkValidationRequest',
      'ReanalysisRequest',
      'DeviceSettingsRule',
      'AdaptationReviewRequest',
      'MlflowImportRequest',
      // A line of samples.jsonl: versioned by its dataset.json (schemaVersion and format).
      'FieldSampleRecord',
      // A build recipe an engineer writes next to a bare model in MLflow, not a document we serve.
      'BundleBuildSettings',
      'ConfigVersionRequest',
      'RolloutRequest',
      'RolloutAction',
    ];
    for (const name of names.filter((n) => !unversioned.includes(n))) {
      const doc = VALID_DOCUMENTS[name][0] as { schemaVersion?: unknown };
      expect(doc.schemaVersion, name).toBe(name.endsWith('V2') ? 2 : 1);
    }
  });

  it('parseOrThrow names the offending field in a VALIDATION_FAILED error', () => {
    const bad = INVALID_DOCUMENTS.find((f) => f.path === 'metrics.framesProcessed');
    try {
      parseOrThrow(TOP_LEVEL_SCHEMAS.HeartbeatRequest, bad?.doc, 'heartbeat');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TinyMLOpsError);
      const err = e as TinyMLOpsError;
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.status).toBe(400);
      expect(err.message).toContain('metrics.framesProcessed');
      expect(TOP_LEVEL_SCHEMAS.ErrorEnvelope.parse(err.toEnvelope('r1')).error.details?.[0]?.path).toBe(
        'metrics.framesProcessed',
      );
    }
  });

  it('float32 vectors survive the wire bit for bit', () => {
    const v = [0, -0, 1.5, -3.25e-8, 3.4e38, Math.fround(Math.PI)];
    expect(Array.from(decodeFloat32(encodeFloat32(v)))).toEqual(v.map(Math.fround));
    expect(encodeFloat32([1, 2.5]).data).toBe('AACAPwAAIEA=');
  });

  it('device config defaults fill in everything a device needs', () => {
    const cfg = TOP_LEVEL_SCHEMAS.DeviceConfig.parse(VALID_DOCUMENTS.DeviceConfig[0]);
    // k and metric are absent: the bundle's KNN state decides them (5 / euclidean without one).
    expect(cfg.classifier).toEqual({ capacity: 1000, replacement: 'class-balanced' });
    expect(cfg.drift.detectors).toBeUndefined(); // the device's default detector set
    expect(cfg.outbox.budgetBytes).toBe(50 * 1024 * 1024);
  });
});
