import { startMlflowFake, type MlflowFake } from '@tinymlops/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxiedArtifactPath } from './artifact-location.js';
import { MlflowClient } from './mlflow-client.js';
import { mlflowConfig, parseModelUri } from './mlflow-config.js';
import { Run } from './mlflow-wire.js';

const noSleep = { attempts: 3, baseDelayMs: 1, sleep: async () => undefined };

describe('MLflow client (against the fake)', () => {
  let fake: MlflowFake;
  let client: MlflowClient;
  beforeAll(async () => {
    fake = await startMlflowFake({ auth: { token: 'tkn' } });
    client = new MlflowClient({ trackingUri: fake.url, auth: { kind: 'token', token: 'tkn' } }, noSleep);
  });
  afterAll(() => fake.stop());

  it('creates an experiment once, logs runs in batches within MLflow limits, and reads them back', async () => {
    const id = await client.experimentId('field');
    expect(await client.experimentId('field')).toBe(id);
    const run = await client.createRun(id, 'r1', { owner: 'ci' }, 1000);
    const metrics = Array.from({ length: 1700 }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 2000 }));
    const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, String(i)]));
    await client.logBatch(run.info.run_id, metrics, params);
    const back = await client.getRun(run.info.run_id);
    expect([back.data?.metrics?.length, back.data?.params?.length]).toEqual([1700, 150]);
    expect(fake.requests.filter((r) => r.endsWith('/runs/log-batch'))).toHaveLength(3);
    await client.finishRun(run.info.run_id, 'FINISHED', 3000);
    expect((await client.getRun(run.info.run_id)).info).toMatchObject({ status: 'FINISHED', end_time: 3000 });
  });

  it('retries 503s, then gives up with UNAVAILABLE naming the call; 404 is NOT_FOUND', async () => {
    fake.failNext(2);
    expect(await client.experimentId('field')).toBe('1');
    fake.failNext(3);
    await expect(client.experimentId('field')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(
        /^MLflow GET \/api\/2\.0\/mlflow\/experiments\/get-by-name answered 503 TEMPORARILY_UNAVAILABLE.*after 3 attempts/,
      ),
    });
    await expect(client.modelVersion('nope', '1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('says which credentials to check when MLflow refuses them, and when it cannot be reached', async () => {
    const wrong = new MlflowClient(
      { trackingUri: fake.url, auth: { kind: 'basic', username: 'a', password: 'b' } },
      noSleep,
    );
    await expect(wrong.experimentId('x')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('MLFLOW_TRACKING_TOKEN'),
    });
    const away = new MlflowClient({ trackingUri: 'http://127.0.0.1:1', auth: { kind: 'none' } }, noSleep);
    await expect(away.experimentId('x')).rejects.toMatchObject({
      message: expect.stringContaining('could not be reached'),
    });
  });

  it('uploads, lists and downloads artifacts through the proxy', async () => {
    await client.uploadArtifact('0/abc/artifacts/bundle/bundle.json', Buffer.from('{}'));
    await client.uploadArtifact('0/abc/artifacts/bundle/sub dir/a b.txt', Buffer.from('x'));
    expect(await client.listArtifacts('0/abc/artifacts/bundle')).toEqual([
      { path: 'bundle.json', is_dir: false, file_size: 2 },
      { path: 'sub dir', is_dir: true },
    ]);
    expect((await client.downloadArtifact('0/abc/artifacts/bundle/sub dir/a b.txt')).toString()).toBe('x');
  });
});

describe('MLflow configuration and wire shapes', () => {
  it('takes credentials from the environment (or the URI, stripped from it) and never from arguments', () => {
    const c = mlflowConfig(
      {
        mlflowTrackingUri: 'https://ml:s3cr%40t@mlflow.example:5000/',
        mlflowModel: ['models:/a@champion,models:/b/3'],
      },
      {},
    );
    expect(c).toMatchObject({
      trackingUri: 'https://mlflow.example:5000',
      auth: { kind: 'basic', username: 'ml', password: 's3cr@t' },
    });
    expect(c?.sources.map((s) => [s.name, s.alias, s.version])).toEqual([
      ['a', 'champion', null],
      ['b', null, '3'],
    ]);
    expect(mlflowConfig({ mlflowTrackingUri: 'http://m:5000' }, { MLFLOW_TRACKING_TOKEN: 't' })?.auth).toEqual({
      kind: 'token',
      token: 't',
    });
    expect(mlflowConfig({}, { MLFLOW_TRACKING_TOKEN: 't' })).toBeNull();
    expect(() => mlflowConfig({ mlflowTrackingUri: 'file:///mlruns' }, {})).toThrow(/http\(s\):\/\/ tracking server/);
    expect(() => mlflowConfig({ mlflowTrackingUri: 'http://m', mlflowModel: ['fashion'] }, {})).toThrow(
      /not an MLflow model URI/,
    );
    expect(parseModelUri('models:/Fashion_V2@prod-1')).toMatchObject({ name: 'Fashion_V2', alias: 'prod-1' });
  });

  it('maps artifact URIs to proxy paths and refuses stores it cannot read, saying what to change', () => {
    expect(proxiedArtifactPath('mlflow-artifacts:/1/r/artifacts/bundle', 'http://m:5000')).toBe('1/r/artifacts/bundle');
    expect(proxiedArtifactPath('mlflow-artifacts://m:5000/1/r/artifacts', 'http://m:5000')).toBe('1/r/artifacts');
    expect(proxiedArtifactPath('http://m:5000/api/2.0/mlflow-artifacts/artifacts/1/r/x', 'http://m:5000')).toBe(
      '1/r/x',
    );
    expect(() => proxiedArtifactPath('s3://bucket/1/r/artifacts', 'http://m:5000')).toThrow(/--serve-artifacts/);
    expect(() =>
      proxiedArtifactPath('http://other:5000/api/2.0/mlflow-artifacts/artifacts/x', 'http://m:5000'),
    ).toThrow(/not at the tracking server/);
  });

  it('accepts int64 fields as numbers (MLflow ≥ 1) and as numeric strings (older servers)', () => {
    const info = { run_id: 'r', experiment_id: '0', start_time: '1552550804000' };
    expect(Run.parse({ info }).info.start_time).toBe(1552550804000);
    expect(Run.parse({ info: { ...info, start_time: 5 }, extra: true }).info.start_time).toBe(5);
  });
});
