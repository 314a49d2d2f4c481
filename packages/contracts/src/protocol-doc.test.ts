import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TOP_LEVEL_SCHEMAS, type TopLevelSchemaName } from './top-level-schemas.js';

const docPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/protocol.md');
const text = await readFile(docPath, 'utf8');
const blocks = [...text.matchAll(/<!-- schema: (\w+) -->\s*```json\n([\s\S]*?)```/g)].map((m) => ({
  schema: m[1] as string,
  json: m[2] as string,
}));

/** Every message a device sends or receives must have a worked example in docs/protocol.md. */
const MESSAGES: TopLevelSchemaName[] = [
  'EnrolmentRequest',
  'EnrolmentResponse',
  'HeartbeatRequest',
  'HeartbeatResponse',
  'PackageManifest',
  'PackageReceipt',
  'DriftEventsDocument',
  'MetricsDocument',
  'LogsDocument',
  'PredictionsDocument',
  'AdaptationDocument',
  'StateSnapshotDocument',
  'FeedbackPage',
  'FeedbackPageV2',
  'FeedbackAck',
  'FeedbackAckV2',
  'ModelAssignment',
  'BundleManifest',
  'InstallReport',
  'ErrorEnvelope',
];

describe('docs/protocol.md', () => {
  it('has a worked example of every device message', () => {
    const shown = new Set(blocks.map((b) => b.schema));
    expect(MESSAGES.filter((m) => !shown.has(m))).toEqual([]);
  });

  it.each(blocks.map((b, i) => [b.schema, i, b] as const))(
    'example of %s (#%i) is valid against contracts',
    (name, _i, b) => {
      expect(Object.keys(TOP_LEVEL_SCHEMAS)).toContain(name);
      const schema = TOP_LEVEL_SCHEMAS[name as TopLevelSchemaName];
      const r = schema.safeParse(JSON.parse(b.json));
      expect(r.error?.issues ?? []).toEqual([]);
    },
  );

  it('documents every device endpoint', () => {
    for (const endpoint of [
      'POST /device/v1/enrol',
      'POST /device/v1/heartbeat',
      'PUT /device/v1/packages/{packageId}',
      'GET /device/v1/packages/{packageId}',
      'GET /device/v1/feedback?after={cursor}',
      '?v=2',
      'POST /device/v1/feedback/ack',
      'GET /device/v1/assignment',
      'GET /device/v1/models/{modelId}/versions/{version}/bundle',
      'POST /device/v1/assignment/report',
    ])
      expect(text).toContain(endpoint);
  });
});
