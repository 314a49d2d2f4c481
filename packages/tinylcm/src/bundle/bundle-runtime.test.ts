import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROTOTYPE_OBJECT_INPUT, referenceArtifact } from '../internal/test-paths.js';
import { loadBundleRuntime } from './bundle-runtime.js';
import { loadBundle } from './load-bundle.js';

const objectModel = referenceArtifact('scenario2/model_object.tflite');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinylcm-bundle-rt-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A bundle around the prototype's object model, with `featureDim` declared in bundle.json. */
function writeObjectBundle(featureDim: number): string {
  const model = fs.readFileSync(objectModel as string);
  fs.writeFileSync(path.join(dir, 'model.tflite'), model);
  const manifest = {
    schemaVersion: 1,
    id: 'poc-object',
    version: '0.1.0',
    createdAt: '2026-11-26T10:00:00Z',
    model: { path: 'model.tflite', format: 'tflite' },
    input: PROTOTYPE_OBJECT_INPUT,
    featureTensor: { name: 'feature_pool', dim: featureDim },
    labels: ['leaf', 'lego', 'stone', 'negative'],
    files: [
      {
        path: 'model.tflite',
        sha256: createHash('sha256').update(model).digest('hex'),
        size: model.length,
        mediaType: 'application/vnd.tflite',
      },
    ],
  };
  fs.writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify(manifest));
  return dir;
}

describe.skipIf(!objectModel)('loadBundleRuntime', () => {
  it('loads the bundle’s model with its feature tensor', async () => {
    const rt = await loadBundleRuntime(await loadBundle(writeObjectBundle(1280)));
    expect(rt.modelName).toBe('poc-object@0.1.0');
    expect(rt.featureTensor).toBe('feature_pool');
    rt.dispose();
  });

  it('refuses a bundle whose declared feature dimension is wrong', async () => {
    const bundle = await loadBundle(writeObjectBundle(256));
    await expect(loadBundleRuntime(bundle)).rejects.toThrow(
      /model "poc-object@0.1.0": feature tensor "feature_pool" has 1280 values, bundle.json says 256/,
    );
  });
});
