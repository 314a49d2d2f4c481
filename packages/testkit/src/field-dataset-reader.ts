import { FieldDatasetManifest, FieldSampleRecord } from '@tinymlops/contracts';
import { readTarGz } from '@tinymlops/tinylcm';

/** A field dataset read back: its manifest, one record per sample, their feature rows and images by path. */
export interface FieldDataset {
  manifest: FieldDatasetManifest;
  samples: FieldSampleRecord[];
  features: Float32Array[];
  images: Map<string, Buffer>;
}

/**
 * Reads a field dataset (`tinymlops-field-dataset/v1`) the way docs/mlflow.md tells a training
 * script to, independently of the server's writer: `dataset.json`, `samples.jsonl` (one record
 * a line), `features.f32` (count × featureDim little-endian float32) and `images/`.
 * @example
 * const ds = await readFieldDataset(await readFile('field.tar.gz'));
 * ds.samples[0].label; ds.features[0].length === ds.manifest.featureDim;
 */
export async function readFieldDataset(tgz: Uint8Array): Promise<FieldDataset> {
  const files = new Map(
    (await readTarGz(tgz, { maxEntries: 200_000, maxExtractedBytes: 2 * 1024 ** 3 })).map((f) => [f.path, f.bytes]),
  );
  const text = (name: string) => {
    const b = files.get(name);
    if (!b) throw new Error(`the field dataset has no ${name}`);
    return b.toString('utf8');
  };
  const manifest = FieldDatasetManifest.parse(JSON.parse(text('dataset.json')));
  const samples = text('samples.jsonl')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => FieldSampleRecord.parse(JSON.parse(l)));
  const raw = files.get('features.f32') ?? Buffer.alloc(0);
  const dim = manifest.featureDim;
  if (raw.length !== manifest.count * dim * 4)
    throw new Error(`features.f32 has ${raw.length} bytes, expected ${manifest.count * dim * 4}`);
  const features = samples.map((s) => {
    const row = new Float32Array(dim);
    for (let k = 0; k < dim; k++) row[k] = raw.readFloatLE((s.index * dim + k) * 4);
    return row;
  });
  const images = new Map([...files].filter(([p]) => p.startsWith('images/')));
  return { manifest, samples, features, images };
}
