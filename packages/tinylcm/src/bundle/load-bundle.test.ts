import { createHash, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { canonicalJson, signBundleManifest } from './bundle-signature.js';
import { loadBundle } from './load-bundle.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const f32b64 = (v: number[]) => Buffer.from(Float32Array.from(v).buffer).toString('base64');

/** Writes a small, valid bundle (4-d features → PCA 2-d → KNN) and returns its dir and manifest. */
function writeBundle(edit: (files: Record<string, string | Uint8Array>) => void = () => {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinylcm-bundle-'));
  dirs.push(dir);
  const files: Record<string, string | Uint8Array> = {
    'model.tflite': Uint8Array.from([1, 2, 3, 4, 5]),
    'transform.json': JSON.stringify({
      schemaVersion: 1,
      inputDim: 4,
      outputDim: 2,
      pca: {
        mean: [0, 0, 0, 0],
        components: [
          [1, 0, 0, 0],
          [0, 1, 0, 0],
        ],
      },
    }),
    'knn-state.json': JSON.stringify({
      schemaVersion: 1,
      dim: 2,
      count: 1,
      metric: 'euclidean',
      k: 1,
      labels: ['a'],
      features: f32b64([0.5, 1]),
    }),
    'detectors.json': JSON.stringify({ schemaVersion: 1, knnDistance: { mean: 1, std: 0.2, samples: 10 } }),
  };
  edit(files);
  const entries = Object.entries(files).map(([p, c]) => {
    const bytes = typeof c === 'string' ? Buffer.from(c) : Buffer.from(c);
    fs.writeFileSync(path.join(dir, p), bytes);
    return {
      path: p,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      mediaType: 'application/json',
    };
  });
  const manifest = {
    schemaVersion: 1,
    id: 'tiny-test',
    version: '1.0.0',
    createdAt: '2026-11-26T10:00:00Z',
    model: { path: 'model.tflite', format: 'tflite' },
    input: {
      name: 'input',
      shape: [1, 4, 4, 3],
      dtype: 'uint8',
      colorOrder: 'rgb',
      normalization: { scale: 1, offset: 0 },
      resize: { method: 'area', width: 4, height: 4 },
      grayscaleToRgb: true,
    },
    featureTensor: { name: 'features', dim: 4 },
    labels: ['a', 'b'],
    transform: 'transform.json',
    knnState: 'knn-state.json',
    detectors: 'detectors.json',
    files: entries,
  };
  const write = (m: Record<string, unknown>) =>
    fs.writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify(m, null, 2));
  write(manifest);
  return { dir, manifest, write };
}

async function expectError(p: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TinyMLOpsError);
  expect((e as TinyMLOpsError).code).toBe(code);
  expect((e as Error).message).toMatch(re);
}

describe('loadBundle', () => {
  it('returns the manifest, the verified model bytes and the typed documents', async () => {
    const { dir } = writeBundle();
    const b = await loadBundle(dir);
    expect(b.manifest.id).toBe('tiny-test');
    expect([...b.modelBytes]).toEqual([1, 2, 3, 4, 5]);
    expect(b.transform?.outputDim).toBe(2);
    expect(b.knnState?.labels).toEqual(['a']);
    expect(b.detectors?.knnDistance.std).toBe(0.2);
    expect(b.signatureVerified).toBe(false);
  });

  it('rejects a file whose sha256 does not match, naming it', async () => {
    const { dir } = writeBundle();
    fs.writeFileSync(path.join(dir, 'model.tflite'), Uint8Array.from([1, 2, 3, 4, 6]));
    await expectError(loadBundle(dir), 'INVALID_BUNDLE', /file model\.tflite sha256 mismatch/);
  });

  it('rejects a file whose size does not match', async () => {
    const { dir } = writeBundle();
    fs.appendFileSync(path.join(dir, 'detectors.json'), ' ');
    await expectError(loadBundle(dir), 'INVALID_BUNDLE', /file detectors\.json has \d+ bytes, bundle\.json says/);
  });

  it('rejects a missing listed file and a missing bundle.json', async () => {
    const { dir } = writeBundle();
    fs.rmSync(path.join(dir, 'knn-state.json'));
    await expectError(loadBundle(dir), 'INVALID_BUNDLE', /listed file knn-state\.json is missing.*ENOENT/);
    fs.rmSync(path.join(dir, 'bundle.json'));
    await expectError(loadBundle(dir), 'INVALID_BUNDLE', /bundle\.json is missing/);
  });

  it('reports schema errors in bundle.json with the offending field', async () => {
    const { dir, manifest, write } = writeBundle();
    write({ ...manifest, id: 'Not A Valid Id' });
    await expectError(
      loadBundle(dir),
      'VALIDATION_FAILED',
      /invalid bundle\.json in .*: id: expected a lower-case model id/,
    );
    write({ ...manifest, transform: 'other.json' });
    await expectError(loadBundle(dir), 'VALIDATION_FAILED', /transform: other\.json is not listed in files/);
  });

  it('reports schema errors and bad JSON in the documents, naming the file', async () => {
    const bad = writeBundle(
      (f) => (f['transform.json'] = JSON.stringify({ schemaVersion: 1, inputDim: 4, outputDim: 3 })),
    );
    await expectError(loadBundle(bad.dir), 'VALIDATION_FAILED', /invalid transform\.json .*outputDim/);
    const broken = writeBundle((f) => (f['knn-state.json'] = '{"schemaVersion": 1,'));
    await expectError(loadBundle(broken.dir), 'INVALID_BUNDLE', /knn-state\.json is not valid JSON/);
  });

  it('rejects documents whose dimensions disagree with the feature tensor', async () => {
    const { dir, manifest, write } = writeBundle();
    write({ ...manifest, featureTensor: { name: 'features', dim: 8 } });
    await expectError(loadBundle(dir), 'INVALID_BUNDLE', /transform\.json has inputDim 4, the feature tensor has 8/);
  });
});

describe('bundle signatures (ed25519 over canonical JSON)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('canonical JSON sorts keys recursively and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }], e: 0.1 })).toBe(
      '{"a":[true,{"c":"x","d":null}],"b":1,"e":0.1}',
    );
  });

  it('verifies a signed bundle and rejects it once bundle.json is altered', async () => {
    const { dir, manifest, write } = writeBundle();
    const signed = signBundleManifest(manifest, privateKey, 'release');
    write(signed);
    expect((await loadBundle(dir, { trustedKeys: { release: pem } })).signatureVerified).toBe(true);
    write({ ...signed, labels: ['a', 'b', 'c'] });
    await expectError(
      loadBundle(dir, { trustedKeys: { release: pem } }),
      'INVALID_BUNDLE',
      /signature \(key "release"\) does not verify/,
    );
    await expectError(loadBundle(dir, { trustedKeys: { other: pem } }), 'INVALID_BUNDLE', /unknown key "release"/);
  });

  it('can require a signature', async () => {
    const { dir } = writeBundle();
    await expectError(
      loadBundle(dir, { trustedKeys: { release: pem }, requireSignature: true }),
      'INVALID_BUNDLE',
      /bundle\.json has none/,
    );
  });
});
