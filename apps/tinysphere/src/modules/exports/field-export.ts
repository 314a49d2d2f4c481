import type { Readable } from 'node:stream';
import type { FieldDatasetManifest, FieldExportQuery } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { fieldDatasetManifest, writeFieldDataset } from './field-dataset-writer.js';
import { exportFilter, validatedSamples } from './validated-samples.js';

/** A field dataset ready to stream: its manifest, a file name, and the `.tar.gz` bytes as a stream. */
export interface FieldExport {
  manifest: FieldDatasetManifest;
  fileName: string;
  stream: Readable;
}

/**
 * Selects the validated samples `query` names and starts streaming them as a field dataset. The
 * query and the selection are checked before a byte is streamed, so a bad filter or an empty
 * result is a clear error, not a broken download.
 * @example
 * const x = await exportFieldDataset(ctx, { modelId: 'fashion-mnv2', limit: 10_000 });
 * x.stream.pipe(fs.createWriteStream(x.fileName));
 */
export async function exportFieldDataset(
  ctx: Pick<AppContext, 'db' | 'blobs' | 'now'>,
  query: FieldExportQuery,
): Promise<FieldExport> {
  const filter = exportFilter(query);
  const rows = await validatedSamples(ctx.db, filter);
  const at = ctx.now();
  const manifest = fieldDatasetManifest(rows, filter, at);
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return {
    manifest,
    fileName: `${filter.modelId}${filter.version ? `-${filter.version}` : ''}-field-${stamp}.tar.gz`,
    stream: writeFieldDataset(ctx.blobs, rows, manifest),
  };
}
