import { randomBytes } from 'node:crypto';
import { logModelVersion } from '@tinymlops/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../testing/bundle-archive.js';
import { databaseEngines } from '../../testing/database-engines.js';
import { readJson, startTestServer, waitUntil, type TestServer } from '../../testing/test-server.js';
import { MlflowClient } from './mlflow-client.js';
import { mlflowConfig } from './mlflow-config.js';

/**
 * The integration against a real MLflow tracking server (2.x or 3.x, started with artifact
 * serving), when `MLFLOW_TRACKING_URI` points at one; credentials from MLFLOW_TRACKING_TOKEN or
 * MLFLOW_TRACKING_USERNAME/PASSWORD. Names are unique per run, so a shared server is fine.
 */
const uri = process.env['MLFLOW_TRACKING_URI'];
if (!uri)
  console.warn('real MLflow test SKIPPED: set MLFLOW_TRACKING_URI=http://host:5000 to run it against a real MLflow');

describe.skipIf(!uri)('TinySphere against a real MLflow at MLFLOW_TRACKING_URI', () => {
  const name = `tinysphere-ci-${randomBytes(4).toString('hex')}`;
  let s: TestServer;
  let client: MlflowClient;
  beforeAll(async () => {
    const config = mlflowConfig(
      {
        mlflowTrackingUri: uri as string,
        mlflowModel: [`models:/${name}@champion`],
        mlflowPollSeconds: 0,
        mlflowFieldMetricsSeconds: 0,
        mlflowFieldExperiment: `${name}-field`,
      },
      process.env,
    );
    client = new MlflowClient(config as NonNullable<typeof config>);
    s = await startTestServer(databaseEngines()[0]!, {
      config: { mlflow: config },
    });
  });
  afterAll(() => s?.stop());

  const headers = (): Record<string, string> => {
    const a = client.config.auth;
    if (a.kind === 'token') return { authorization: `Bearer ${a.token}` };
    if (a.kind === 'basic')
      return { authorization: `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}` };
    return {};
  };

  it('imports a registered version named by an alias and logs field metrics to a run', async () => {
    const { files } = await buildBundle('ci-real-mlflow', '1.0.0');
    const { runId } = await logModelVersion(client.config.trackingUri, {
      name,
      files,
      alias: 'champion',
      headers: headers(),
    });
    const r = await s.call('POST', '/api/v1/mlflow/imports', {
      token: s.engineerToken,
      json: { modelUri: `models:/${name}@champion` },
    });
    expect(r.status).toBe(202);
    const done = await waitUntil(
      async () => (await readJson(s.call('GET', '/api/v1/mlflow/imports', { token: s.viewerToken }))).items[0],
      (i) => i.status !== 'pending',
      120_000,
    );
    expect(done).toMatchObject({ status: 'imported', runId, modelId: 'ci-real-mlflow' });
    const dev = await s.enrol('hw-real-mlflow');
    await s.call('POST', '/api/v1/deployments', {
      token: s.engineerToken,
      json: { target: { kind: 'device', deviceId: dev.deviceId }, modelId: 'ci-real-mlflow', version: '1.0.0' },
    });
    const logged = await readJson(s.call('POST', '/api/v1/mlflow/field-metrics', { token: s.engineerToken }));
    const run = await client.getRun(logged.runs[0].runId);
    expect(run.data?.tags).toEqual(expect.arrayContaining([{ key: 'tinysphere.training_run_id', value: runId }]));
  }, 300_000);
});
