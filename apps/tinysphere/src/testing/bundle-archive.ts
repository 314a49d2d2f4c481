import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import type { BundleManifest } from '@tinymlops/contracts';
import { signBundleManifest } from '@tinymlops/tinylcm';
import { packFiles } from '../modules/packages/archive-writer.js';

/**
 * A small, valid model bundle (random "model" bytes), optionally signed, optionally tampered.
 * @example
 * const tgz = await buildBundle('demo-model', '1.0.0');
 */
export async function buildBundle(
  id: string,
  version: string,
  opts: { sign?: { key: KeyObject; keyId: string }; tamper?: (m: BundleManifest) => void; modelBytes?: Buffer } = {},
): Promise<{ tgz: Buffer; manifest: BundleManifest; files: Record<string, Buffer> }> {
  const model = opts.modelBytes ?? randomBytes(2048);
  const manifest: BundleManifest = {
    schemaVersion: 1,
    id,
    version,
    createdAt: '2026-11-26T09:00:00.000Z',
    model: { path: 'model.tflite', format: 'tflite' },
    input: {
      name: 'input',
      shape: [1, 96, 96, 3],
      dtype: 'uint8',
      colorOrder: 'rgb',
      normalization: { scale: 1, offset: 0 },
      resize: { method: 'area', width: 96, height: 96 },
      grayscaleToRgb: true,
    },
    featureTensor: { name: 'features', dim: 128 },
    labels: ['bag', 'shirt'],
    files: [
      {
        path: 'model.tflite',
        sha256: createHash('sha256').update(model).digest('hex'),
        size: model.length,
        mediaType: 'application/octet-stream',
      },
    ],
  };
  if (opts.sign) manifest.signature = signBundleManifest(manifest, opts.sign.key, opts.sign.keyId).signature;
  opts.tamper?.(manifest);
  const files = { 'bundle.json': Buffer.from(JSON.stringify(manifest, null, 2)), 'model.tflite': model };
  return { tgz: await packFiles(Object.entries(files)), manifest, files };
}
