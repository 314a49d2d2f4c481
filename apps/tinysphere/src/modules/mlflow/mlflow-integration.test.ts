import type { BundleManifest } from '@tinymlops/contracts';
import {
  logModelVersion,
  readFieldDataset,
  startMlflowFake,
  webhookSignature,
  type MlflowFake,
} from '@tinymlops/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../testing/bundle-archive.js';
import { databaseEngines } from '../../testing/database-engines.js';
import { seedDriftSamples } from '../../testing/drift-samples.js';
import { expectError } from '../../testing/expect-error.js';
import { readJson, startTestServer, waitUntil, type Json, type TestServer } from '../../testing/test-server.js';
import { mlflowConfig } from './mlflow-config.js';
import { pollSources } from './registry-poller.js';

const SECRET = 'webhook-secret';
const AUTH = { authorization: `Basic ${Buffer.from('ml-engineer:pw').toString('base64')}` };

describe.each(databaseEngines())('MLflow integration against the MLflow fake on $name', (engine) => {
  let mlflow: MlflowFake;
  let s: TestServer;
  const imports = () => readJson(s.call('GET', '/api/v1/mlflow/imports', { token: s.viewerToken }));
  const importOf = async (version: string) => (await imports()).items.find((i: Json) => i.version === version);
  const settled = (version: string) =>
    waitUntil(
      () => importOf(version),
      (i) => i !== undefined && i.status !== 'pending',
      60_000,
    );
  const bundleFiles = async (version: string, tamper?: (m: BundleManifest) => void) =>
    (await buildBundle('fashion-mnv2', version, tamper ? { tamper } : {})).files;

  beforeAll(async () => {
    mlflow = await startMlflowFake({ auth: { username: 'ml-engineer', password: 'pw' } });
    const env = {
      MLFLOW_TRACKING_USERNAME: 'ml-engineer',
      MLFLOW_TRACKING_PASSWORD: 'pw',
      TINYSPHERE_MLFLOW_WEBHOOK_SECRET: SECRET,
    };
    const config = mlflowConfig(
      {
        mlflowTrackingUri: mlflow.url,
        mlflowModel: ['models:/fashion@champion'],
        mlflowPollSeconds: 0,
        mlflowFieldMetricsSeconds: 0,
      },
      env,
    );
    s = await startTestServer(engine, { config: { mlflow: config } });
    const events = [{ entity: 'model_version_alias', action: 'created' }];
    const hook = await fetch(`${mlflow.url}/api/2.0/mlflow/webhooks`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'tinysphere', url: `${s.url}/api/v1/mlflow/webhook`, events, secret: SECRET }),
    });
    expect(hook.status).toBe(200);
  });
  afterAll(async () => {
    await s?.stop();
    await mlflow?.stop();
  });

  it('imports the version an alias names as soon as MLflow sends the webhook, linking run and version', async () => {
    const { runId } = await logModelVersion(mlflow.url, {
      name: 'fashion',
      files: await bundleFiles('1.0.0'),
      alias: 'champion',
      headers: AUTH,
    });
    await mlflow.webhooks.settled();
    expect(mlflow.webhooks.deliveries).toEqual([
      expect.objectContaining({ event: 'model_version_alias.created', status: 204 }),
    ]);
    const done = await settled('1');
    expect(done).toMatchObject({
      status: 'imported',
      trigger: 'webhook',
      alias: 'champion',
      modelId: 'fashion-mnv2',
      modelVersion: '1.0.0',
      runId,
    });
    const versions = await readJson(s.call('GET', '/api/v1/models/fashion-mnv2/versions', { token: s.viewerToken }));
    expect(versions.items[0]).toMatchObject({
      version: '1.0.0',
      aliases: ['champion'],
      mlflow: { name: 'fashion', version: '1', runId, source: `runs:/${runId}/bundle` },
    });
    expect(mlflow.registry.versionJson('fashion', '1').tags).toContainEqual({
      key: 'tinysphere.version',
      value: 'fashion-mnv2@1.0.0',
    });
  });

  it('polls the alias, and a person can import now; MLflow failing twice is retried', async () => {
    await logModelVersion(mlflow.url, { name: 'fashion', files: await bundleFiles('1.1.0'), headers: AUTH });
    mlflow.registry.model('fashion').aliases.set('champion', '2'); // moved without a webhook: only a poll sees it
    expect(await importOf('2')).toBeUndefined();
    expect(await pollSources(s.app.ctx)).toEqual({ requested: 1, errors: [] });
    expect(await pollSources(s.app.ctx)).toEqual({ requested: 0, errors: [] });
    expect(await settled('2')).toMatchObject({ status: 'imported', modelVersion: '1.1.0' });
    await logModelVersion(mlflow.url, { name: 'fashion', files: await bundleFiles('1.2.0'), headers: AUTH });
    mlflow.failNext(2);
    const r = await s.call('POST', '/api/v1/mlflow/imports', {
      token: s.engineerToken,
      json: { modelUri: 'models:/fashion/3' },
    });
    expect([r.status, (await readJson(r)).trigger]).toEqual([202, 'manual']);
    expect(await settled('3')).toMatchObject({ status: 'imported', modelVersion: '1.2.0' });
  });

  it('keeps a failed import visible with its reason, and lets a person retry it', async () => {
    await logModelVersion(mlflow.url, {
      name: 'fashion',
      files: { 'notes.txt': Buffer.from('no model here') },
      headers: AUTH,
    });
    const tampered = await bundleFiles('2.0.0', (m) => void (m.files[0]!.sha256 = 'e'.repeat(64)));
    await logModelVersion(mlflow.url, { name: 'fashion', files: tampered, headers: AUTH });
    for (const v of ['4', '5']) {
      await s.call('POST', '/api/v1/mlflow/imports', {
        token: s.engineerToken,
        json: { modelUri: `models:/fashion/${v}` },
      });
    }
    expect(await settled('4')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/holds no bundle\.json, no single bundle archive .*found: notes\.txt/),
    });
    expect(await settled('5')).toMatchObject({ status: 'failed', error: expect.stringMatching(/model\.tflite/) });
    const retry = await s.call('POST', '/api/v1/mlflow/imports', {
      token: s.engineerToken,
      json: { modelUri: 'models:/fashion/4' },
    });
    expect((await readJson(retry)).status).toBe('pending');
    expect(await settled('4')).toMatchObject({ status: 'failed', attempts: 2 });
    await expectError(
      await s.call('POST', '/api/v1/mlflow/imports', { token: s.viewerToken, json: { modelUri: 'models:/fashion/4' } }),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await s.call('POST', '/api/v1/mlflow/imports', { token: s.engineerToken, json: { modelUri: 'runs:/x/y' } }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('refuses webhooks without a valid, fresh signature', async () => {
    const body = JSON.stringify({
      entity: 'model_version_alias',
      action: 'created',
      data: { name: 'fashion', alias: 'champion', version: '1' },
    });
    const send = (headers: Record<string, string>) =>
      s.call('POST', '/api/v1/mlflow/webhook', { body, headers: { 'content-type': 'application/json', ...headers } });
    const ts = String(Math.floor(Date.now() / 1000));
    await expectError(await send({}), 401, 'UNAUTHENTICATED');
    await expectError(
      await send({
        'x-mlflow-delivery-id': 'd1',
        'x-mlflow-timestamp': ts,
        'x-mlflow-signature': webhookSignature('wrong', 'd1', ts, body),
      }),
      401,
      'UNAUTHENTICATED',
    );
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    await expectError(
      await send({
        'x-mlflow-delivery-id': 'd2',
        'x-mlflow-timestamp': old,
        'x-mlflow-signature': webhookSignature(SECRET, 'd2', old, body),
      }),
      401,
      'UNAUTHENTICATED',
    );
    const ok = await send({
      'x-mlflow-delivery-id': 'd3',
      'x-mlflow-timestamp': ts,
      'x-mlflow-signature': webhookSignature(SECRET, 'd3', ts, body),
    });
    expect(ok.status).toBe(204);
  });

  it('logs field metrics of a deployed version to its MLflow run, tagged with the training run', async () => {
    const dev = await s.enrol('hw-mlflow-field');
    const ids = await seedDriftSamples(s, dev, 'ep_mlfield01', 4, '1.1.0');
    for (const [i, id] of ids.slice(0, 3).entries()) {
      const body = { decision: 'label', label: i === 0 ? 'shirt' : 'bag' }; // predicted: bag, shirt, bag
      await s.call('POST', `/api/v1/drift/samples/${dev.deviceId}/${id}/validation`, {
        token: s.engineerToken,
        json: body,
      });
    }
    const r = await readJson(s.call('POST', '/api/v1/mlflow/field-metrics', { token: s.engineerToken }));
    const run = r.runs.find((x: Json) => x.version === '1.1.0');
    expect(run.metrics).toMatchObject({ 'field.devices': 1, 'field.drift_episodes': 1, 'field.validated_samples': 3 });
    expect(run.metrics['field.validated_label_accuracy']).toBeCloseTo(1 / 3);
    const inFake = mlflow.tracking.runJson(run.runId);
    expect(inFake.data.tags).toEqual(
      expect.arrayContaining([
        { key: 'tinysphere.model_version', value: '1.1.0' },
        { key: 'tinysphere.mlflow_version', value: '2' },
      ]),
    );
    expect(inFake.data.metrics).toContainEqual(
      expect.objectContaining({ key: 'field.validated_samples', value: 3, step: 1 }),
    );
    const again = await readJson(s.call('POST', '/api/v1/mlflow/field-metrics', { token: s.engineerToken }));
    expect(again.runs.find((x: Json) => x.version === '1.1.0')).toMatchObject({ runId: run.runId, from: run.to });
  });

  it('logs a validated-samples export to MLflow as an artifact and a dataset input', async () => {
    const r = await s.call('POST', '/api/v1/exports/validated-samples/mlflow', {
      token: s.engineerToken,
      json: { modelId: 'fashion-mnv2' },
    });
    const body = await readJson(r);
    expect([r.status, body.count]).toEqual([201, 3]);
    const run = mlflow.tracking.runJson(body.runId);
    expect(run.inputs.dataset_inputs[0]?.dataset).toMatchObject({
      name: 'fashion-mnv2-field-data',
      digest: body.datasetDigest,
      source_type: 'tinysphere',
    });
    const path = (body.artifactUri as string).replace('mlflow-artifacts:/', '');
    const ds = await readFieldDataset(new Uint8Array(mlflow.artifacts.get(path)));
    expect(ds.samples.map((x) => x.label).sort()).toEqual(['bag', 'bag', 'shirt']);
  });
});

describe.each(databaseEngines().slice(0, 1))('MLflow not configured ($name)', (engine) => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer(engine)));
  afterAll(() => s.stop());

  it('reports it and answers the actions with 503 saying how to enable it', async () => {
    expect(await readJson(s.call('GET', '/api/v1/mlflow/status', { token: s.viewerToken }))).toMatchObject({
      enabled: false,
      sources: [],
    });
    const r = await s.call('POST', '/api/v1/mlflow/imports', {
      token: s.engineerToken,
      json: { modelUri: 'models:/a@b' },
    });
    expect((await readJson(r)).error).toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('MLFLOW_TRACKING_URI'),
    });
  });
});
