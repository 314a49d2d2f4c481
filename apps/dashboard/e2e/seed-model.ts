import { createHash, randomBytes } from 'node:crypto';
import type { BundleManifest } from '@tinymlops/contracts';
import { packEntries } from '../../tinysphere/src/testing/package-archive.js';
import type { TestServer } from '../../tinysphere/src/testing/test-server.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A model bundle archive (bundle.json + model + labels) with correct hashes; the model bytes are filler. */
export async function buildBundle(id: string, version: string): Promise<Buffer> {
  const files: Record<string, Buffer> = {
    'model.tflite': randomBytes(48 * 1024),
    'labels.txt': Buffer.from('t-shirt/top\ntrouser\npullover\ndress\ncoat\nsandal\nshirt\nsneaker\n'),
  };
  const manifest: BundleManifest = {
    schemaVersion: 1,
    id,
    version,
    createdAt: new Date().toISOString(),
    description: 'MobileNetV2 feature extractor + KNN, Fashion-MNIST without bag and ankle boot',
    model: { path: 'model.tflite', format: 'tflite' },
    input: {
      name: 'input',
      shape: [1, 96, 96, 3],
      dtype: 'float32',
      colorOrder: 'rgb',
      normalization: { scale: 1 / 127.5, offset: -1 },
      resize: { method: 'area', width: 96, height: 96 },
      grayscaleToRgb: true,
    },
    featureTensor: { name: 'features', dim: 1280 },
    labels: ['t-shirt/top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker'],
    files: Object.entries(files).map(([path, b]) => ({
      path,
      sha256: sha(b),
      size: b.length,
      mediaType: path.endsWith('.txt') ? 'text/plain' : 'application/octet-stream',
    })),
  };
  return packEntries([
    { name: 'bundle.json', body: Buffer.from(JSON.stringify(manifest)) },
    ...Object.entries(files).map(([name, body]) => ({ name, body })),
  ]);
}

/** Registers `versions` of a model through the people API and points `production` at the first. */
export async function seedModel(s: TestServer, id: string, versions: string[]): Promise<void> {
  for (const v of versions) {
    const r = await s.call('POST', '/api/v1/models/bundles', {
      token: s.engineerToken,
      body: await buildBundle(id, v),
      headers: { 'content-type': 'application/gzip' },
    });
    if (r.status !== 201) throw new Error(`bundle ${id}@${v}: ${r.status} ${await r.text()}`);
  }
  const a = await s.call('PUT', `/api/v1/models/${id}/aliases/production`, {
    token: s.engineerToken,
    json: { version: versions[0] },
  });
  if (a.status !== 204) throw new Error(`alias: ${a.status} ${await a.text()}`);
}
