import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflowFake, type MlflowFake } from './mlflow-fake.js';
import { webhookSignature } from './webhook-dispatcher.js';

/**
 * Contract tests of the MLflow fake. Every expectation comes from MLflow's published material,
 * cited per test: the protos (mlflow/protos/*.proto), their documented examples, the example
 * `examples/mlflow_artifacts/README.md`, and the server code that shapes the wire
 * (`mlflow/server/handlers.py`, `mlflow/webhooks/{delivery,types}.py`, `mlflow/exceptions.py`).
 */
describe('MLflow fake: the REST API as MLflow publishes it', () => {
  let mlflow: MlflowFake;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${mlflow.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: r.status, json: (await r.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  beforeAll(async () => (mlflow = await startMlflowFake()));
  afterAll(() => mlflow.stop());

  it('logs the LogBatch example of service.proto: metrics append in order, params once, tags overwrite', async () => {
    const { json } = await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0', run_name: 'example' });
    const runId: string = json.run.info.run_id;
    expect(json.run.info).toMatchObject({ status: 'RUNNING', experiment_id: '0', lifecycle_stage: 'active' });
    expect(json.run.info.artifact_uri).toBe(`mlflow-artifacts:/0/${runId}/artifacts`);
    const example = {
      run_id: runId,
      metrics: [
        { key: 'mae', value: 2.5, timestamp: 1552550804 },
        { key: 'rmse', value: 2.7, timestamp: 1552550804 },
      ],
      params: [{ key: 'model_class', value: 'LogisticRegression' }],
    };
    expect(await call('POST', '/api/2.0/mlflow/runs/log-batch', example)).toEqual({ status: 200, json: {} });
    // Logging the same param (key, value) again is permitted; another value is an error.
    expect((await call('POST', '/api/2.0/mlflow/runs/log-batch', example)).status).toBe(200);
    const changed = await call('POST', '/api/2.0/mlflow/runs/log-parameter', {
      run_id: runId,
      key: 'model_class',
      value: 'SVM',
    });
    expect(changed).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    await call('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: runId, key: 'stage', value: 'a' });
    await call('POST', '/api/2.0/mlflow/runs/set-tag', { run_id: runId, key: 'stage', value: 'b' });
    const run = (await call('GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`)).json.run;
    expect(run.data.metrics).toEqual([
      { key: 'mae', value: 2.5, timestamp: 1552550804, step: 0 },
      { key: 'rmse', value: 2.7, timestamp: 1552550804, step: 0 },
    ]);
    expect(run.data.params).toEqual([{ key: 'model_class', value: 'LogisticRegression' }]);
    expect(run.data.tags).toContainEqual({ key: 'stage', value: 'b' });
    const history = await call('GET', `/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=mae`);
    expect(history.json.metrics).toHaveLength(2);
  });

  it('enforces the request limits of LogBatch and accepts int64 as numeric strings (older clients)', async () => {
    const runId = (await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).json.run.info.run_id;
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1 }));
    const tooMany = await call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: runId, metrics });
    expect(tooMany).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    const old = { run_id: runId, key: 'acc', value: 0.5, timestamp: '1552550804', step: '3' };
    expect((await call('POST', '/api/2.0/mlflow/runs/log-metric', old)).status).toBe(200);
    const done = await call('POST', '/api/2.0/mlflow/runs/update', { run_id: runId, status: 'FINISHED', end_time: 9 });
    expect(done.json.run_info).toMatchObject({ status: 'FINISHED', end_time: 9 });
  });

  it('answers unknown resources with RESOURCE_DOES_NOT_EXIST / 404 and duplicates with RESOURCE_ALREADY_EXISTS / 400', async () => {
    const missing = await call('GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=nope');
    expect(missing).toEqual({
      status: 404,
      json: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: expect.any(String) },
    });
    expect((await call('POST', '/api/2.0/mlflow/experiments/create', { name: 'field' })).json.experiment_id).toBe('1');
    const dup = await call('POST', '/api/2.0/mlflow/experiments/create', { name: 'field' });
    expect(dup).toMatchObject({ status: 400, json: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    const noName = await call('POST', '/api/2.0/mlflow/experiments/create', {});
    expect(noName.json.message).toMatch(/Missing value for required parameter 'name'/);
  });

  it('serves proxied artifacts as examples/mlflow_artifacts does: PUT by path, list children by base name, GET bytes', async () => {
    const runId = (await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).json.run.info.run_id;
    const base = `${mlflow.url}/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts`;
    expect((await fetch(`${base}/a.txt`, { method: 'PUT', body: 'A' })).status).toBe(200);
    expect((await fetch(`${base}/dir/b.txt`, { method: 'PUT', body: 'BB' })).status).toBe(200);
    const listed = await call('GET', `/api/2.0/mlflow-artifacts/artifacts?path=0/${runId}/artifacts`);
    expect(listed.json.files).toEqual([
      { path: 'a.txt', is_dir: false, file_size: 1 },
      { path: 'dir', is_dir: true },
    ]);
    expect(await (await fetch(`${base}/dir/b.txt`)).text()).toBe('BB');
    const viaRun = await call('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=dir`);
    expect(viaRun.json).toEqual({
      root_uri: `mlflow-artifacts:/0/${runId}/artifacts`,
      files: [{ path: 'dir/b.txt', is_dir: false, file_size: 2 }],
    });
    expect((await fetch(`${base}/missing.txt`)).status).toBe(404);
  });

  it('registers versions, moves aliases and resolves a version to its artifact URI (model_registry.proto)', async () => {
    const runId = (await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: '0' })).json.run.info.run_id;
    expect((await call('POST', '/api/2.0/mlflow/registered-models/create', { name: 'fashion' })).status).toBe(200);
    const v1 = await call('POST', '/api/2.0/mlflow/model-versions/create', {
      name: 'fashion',
      source: `runs:/${runId}/bundle`,
      run_id: runId,
    });
    expect(v1.json.model_version).toMatchObject({
      name: 'fashion',
      version: '1',
      status: 'READY',
      current_stage: 'None',
      run_id: runId,
    });
    expect(typeof v1.json.model_version.creation_timestamp).toBe('number');
    await call('POST', '/api/2.0/mlflow/registered-models/alias', { name: 'fashion', alias: 'champion', version: '1' });
    const byAlias = await call('GET', '/api/2.0/mlflow/registered-models/alias?name=fashion&alias=champion');
    expect(byAlias.json.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    const uri = await call('GET', '/api/2.0/mlflow/model-versions/get-download-uri?name=fashion&version=1');
    expect(uri.json).toEqual({ artifact_uri: `mlflow-artifacts:/0/${runId}/artifacts/bundle` });
    const search = await call(
      'GET',
      `/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent("name='fashion'")}`,
    );
    expect(search.json.model_versions.map((v: { version: string }) => v.version)).toEqual(['1']);
    const nope = await call('GET', '/api/2.0/mlflow/registered-models/get?name=absent');
    expect(nope.status).toBe(404);
  });

  describe('model-registry webhooks (mlflow/webhooks/delivery.py, types.py)', () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => (received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() }), res.end()));
    });
    beforeAll(() => new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r)));
    afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

    it('posts the alias-created payload, signed v1 with HMAC-SHA256 over "<delivery id>.<timestamp>.<body>"', async () => {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const events = [{ entity: 'model_version_alias', action: 'created' }];
      const hook = await call('POST', '/api/2.0/mlflow/webhooks', {
        name: 'tinysphere',
        url,
        events,
        secret: 's3cret',
      });
      expect(hook.json.webhook).toMatchObject({
        status: 'ACTIVE',
        events: [{ entity: 'MODEL_VERSION_ALIAS', action: 'CREATED' }],
      });
      expect(hook.json.webhook.secret).toBeUndefined();
      await call('POST', '/api/2.0/mlflow/registered-models/create', { name: 'hooked' });
      await call('POST', '/api/2.0/mlflow/model-versions/create', { name: 'hooked', source: 's3://bucket/m' });
      await call('POST', '/api/2.0/mlflow/registered-models/alias', {
        name: 'hooked',
        alias: 'champion',
        version: '1',
      });
      await mlflow.webhooks.settled();
      expect(received).toHaveLength(1); // subscribed to alias events only
      const [{ headers, body }] = received as [(typeof received)[number]];
      expect(JSON.parse(body)).toEqual({
        entity: 'model_version_alias',
        action: 'created',
        timestamp: expect.any(String),
        data: { name: 'hooked', alias: 'champion', version: '1' },
      });
      const id = headers['x-mlflow-delivery-id'] as string;
      const ts = headers['x-mlflow-timestamp'] as string;
      expect(ts).toMatch(/^\d{10}$/);
      expect(headers['x-mlflow-signature']).toBe(webhookSignature('s3cret', id, ts, body));
      expect(headers['x-mlflow-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    });
  });

  it('requires the configured credentials (401 otherwise) and can fail on purpose for retry tests', async () => {
    const secured = await startMlflowFake({ auth: { username: 'ml', password: 'pw' } });
    try {
      expect((await fetch(`${secured.url}/api/2.0/mlflow/experiments/get?experiment_id=0`)).status).toBe(401);
      const basic = { authorization: `Basic ${Buffer.from('ml:pw').toString('base64')}` };
      const ok = await fetch(`${secured.url}/api/2.0/mlflow/experiments/get?experiment_id=0`, { headers: basic });
      expect(((await ok.json()) as { experiment: { name: string } }).experiment.name).toBe('Default');
      secured.failNext(1);
      const failed = await fetch(`${secured.url}/api/2.0/mlflow/experiments/get?experiment_id=0`, { headers: basic });
      expect(failed.status).toBe(503);
    } finally {
      await secured.stop();
    }
  });
});
