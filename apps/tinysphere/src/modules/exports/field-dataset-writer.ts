import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { FieldDatasetManifest, FieldExportFilter, FieldSampleRecord } from '@tinymlops/contracts';
import tar from 'tar-stream';
import type { BlobStore } from '../../storage/blob-store.js';
import type { ValidatedSampleRow } from './validated-samples.js';

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/**
 * The dataset's `dataset.json`, from the rows alone (so it can be the archive's first entry).
 * @example
 * fieldDatasetManifest(rows, filter, new Date()).count; // rows.length
 */
export function fieldDatasetManifest(
  rows: ValidatedSampleRow[],
  filter: FieldExportFilter,
  at: Date,
): FieldDatasetManifest {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  return {
    schemaVersion: 1,
    format: 'tinymlops-field-dataset/v1',
    createdAt: at.toISOString(),
    filter,
    modelVersions: [...new Set(rows.map((r) => r.model_version).filter((v) => v !== null))].sort(),
    featureSpace: 'transformed',
    featureDim: rows[0]?.feature_dim ?? 0,
    count: rows.length,
    classes: [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([label, count]) => ({ label, count })),
    files: { samples: 'samples.jsonl', features: 'features.f32', images: 'images/' },
  };
}

/**
 * Streams a field dataset as a `.tar.gz`: `dataset.json`, `features.f32`, `images/…`, then
 * `samples.jsonl` (last, because each line carries its image's sha256, known only once the image
 * was read). Bytes come from the blob store one sample at a time, so memory stays flat. A blob
 * that vanished (retention, manual deletion) ends the stream with an error naming the sample.
 * @example
 * reply.type('application/gzip').send(writeFieldDataset(ctx.blobs, rows, manifest));
 */
export function writeFieldDataset(
  blobs: BlobStore,
  rows: ValidatedSampleRow[],
  manifest: FieldDatasetManifest,
): Readable {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(createGzip()).pipe(out);
  fill(pack, blobs, rows, manifest).catch((err: unknown) => {
    pack.destroy(err as Error);
    out.destroy(err as Error);
  });
  return out;
}

async function fill(
  pack: tar.Pack,
  blobs: BlobStore,
  rows: ValidatedSampleRow[],
  manifest: FieldDatasetManifest,
): Promise<void> {
  await entry(pack, 'dataset.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  const dim = manifest.featureDim;
  const features = pack.entry({ name: 'features.f32', size: rows.length * dim * 4, mtime: new Date(0) });
  for (const r of rows) {
    const bytes = await blobs.getRange(r.features_key, r.features_offset, dim * 4);
    if (!bytes || bytes.length !== dim * 4) throw missing(r, 'features');
    if (!features.write(bytes)) await new Promise<void>((resolve) => features.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => features.end(() => resolve()));
  const lines: string[] = [];
  for (const [index, r] of rows.entries()) {
    lines.push(JSON.stringify(await record(pack, blobs, r, index, manifest.filter.modelId)));
  }
  await entry(pack, 'samples.jsonl', Buffer.from(`${lines.join('\n')}\n`));
  pack.finalize();
}

async function record(
  pack: tar.Pack,
  blobs: BlobStore,
  r: ValidatedSampleRow,
  index: number,
  modelId: string,
): Promise<FieldSampleRecord> {
  let image: FieldSampleRecord['image'] = null;
  if (r.image_key && r.image_length) {
    const bytes = await blobs.getRange(r.image_key, r.image_offset ?? 0, r.image_length);
    if (!bytes) throw missing(r, 'image');
    const mediaType = r.image_media_type ?? 'application/octet-stream';
    const path = `images/${r.device_id}-${r.sample_id}.${EXTENSIONS[mediaType] ?? 'bin'}`;
    await entry(pack, path, bytes);
    image = { path, mediaType, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  return {
    index,
    deviceId: r.device_id,
    sampleId: r.sample_id,
    episodeId: r.episode_id,
    modelId,
    modelVersion: r.model_version,
    capturedAt: new Date(r.captured_at).toISOString(),
    validatedAt: new Date(r.validated_at).toISOString(),
    validatedBy: r.validated_by,
    label: r.label,
    predictedLabel: r.predicted_label,
    confidence: r.confidence,
    image,
  };
}

function entry(pack: tar.Pack, name: string, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    pack.entry({ name, size: body.length, mtime: new Date(0) }, body, (err) => (err ? reject(err) : resolve())),
  );
}

function missing(r: ValidatedSampleRow, what: string): Error {
  return new Error(`the ${what} of drift sample ${r.device_id}/${r.sample_id} is no longer in the blob store`);
}
