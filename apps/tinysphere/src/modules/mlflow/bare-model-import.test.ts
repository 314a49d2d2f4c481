import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FASHION_MNIST_CLASSES,
  logModelVersion,
  readFashionMnist,
  startMlflowFake,
  type MlflowFake,
} from '@tinymlops/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { readJson, startTestServer, waitUntil, type TestServer } from '../../testing/test-server.js';
import { mlflowConfig } from './mlflow-config.js';

const MODEL = fileURLToPath(new URL('../../../../../models/fashion-mnv2', import.meta.url));
const hasModel = existsSync(path.join(MODEL, 'model.tflite'));
if (!hasModel) console.warn(`bare-model MLflow import test SKIPPED: ${MODEL}/model.tflite not found`);

/** A bare model folder as an engineer logs it: the .tflite, labels, a few labelled images and build.json. */
async function bareModelFiles(): Promise<Record<string, Buffer>> {
  const set = await readFashionMnist();
  const files: Record<string, Buffer> = {
    'model.tflite': await readFile(path.join(MODEL, 'model.tflite')),
    'labels.txt': Buffer.from('trouser\nsneaker\n'),
    'build.json': Buffer.from(JSON.stringify({ knnPerClass: 4, holdoutPerClass: 2, pca: 4 })),
  };
  const taken = new Map<number, number>();
  for (let i = 0; i < set.count; i++) {
    const c = set.labels[i] as number;
    if (![1, 7, 8].includes(c) || (taken.get(c) ?? 0) >= 6) continue;
    taken.set(c, (taken.get(c) ?? 0) + 1);
    const raw = Buffer.from(set.images.subarray(i * 784, (i + 1) * 784));
    const png = await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toBuffer();
    files[`examples/${encodeURIComponent(FASHION_MNIST_CLASSES[c] as string)}/${i}.png`] = png;
  }
  return files;
}

describe.skipIf(!hasModel).each(databaseEngines().slice(0, 1))('MLflow import of a bare model ($name)', (engine) => {
  let mlflow: MlflowFake;
  let s: TestServer;
  beforeAll(async () => {
    mlflow = await startMlflowFake();
    const config = mlflowConfig(
      { mlflowTrackingUri: mlflow.url, mlflowModel: ['models:/Fashion_Small@champion'], mlflowPollSeconds: 0 },
      {},
    );
    s = await startTestServer(engine, { config: { mlflow: config } });
  });
  afterAll(async () => {
    await s?.stop();
    await mlflow?.stop();
  });

  it('builds the bundle with the bundle builder and registers it as <id>@<MLflow version>.0.0', async () => {
    await logModelVersion(mlflow.url, {
      name: 'Fashion_Small',
      files: await bareModelFiles(),
      artifactPath: 'model',
      alias: 'champion',
    });
    const r = await s.call('POST', '/api/v1/mlflow/imports', {
      token: s.engineerToken,
      json: { modelUri: 'models:/Fashion_Small@champion' },
    });
    expect(r.status).toBe(202);
    const done = await waitUntil(
      async () => (await readJson(s.call('GET', '/api/v1/mlflow/imports', { token: s.viewerToken }))).items[0],
      (i) => i.status !== 'pending',
      240_000,
    );
    expect(done).toMatchObject({ status: 'imported', modelId: 'fashion-small', modelVersion: '1.0.0' });
    const detail = await readJson(
      s.call('GET', '/api/v1/models/fashion-small/versions/1.0.0', { token: s.viewerToken }),
    );
    expect(detail.manifest).toMatchObject({
      labels: ['trouser', 'sneaker'],
      heldOutLabels: ['bag'],
      knnState: 'knn-state.json',
      featureTensor: { name: 'feature_pool', dim: 1280 },
    });
    expect(detail.version.aliases).toEqual(['champion']);
  }, 300_000);
});
