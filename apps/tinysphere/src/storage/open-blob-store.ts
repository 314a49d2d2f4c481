import { TinyMLOpsError } from '@tinymlops/contracts';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './blob-stores/fs.js';
import { S3BlobStore } from './blob-stores/s3.js';

/**
 * Opens the blob store a `--blobs` URI names: `file:<dir>` or `s3://bucket?endpoint=…&region=…`.
 * @example
 * const blobs = await openBlobStore('file:./.tinymlops/blobs');
 */
export async function openBlobStore(uri: string): Promise<BlobStore> {
  if (uri.startsWith('file:')) return FsBlobStore.open(uri.slice('file:'.length));
  if (uri.startsWith('s3://')) return S3BlobStore.fromUri(uri);
  throw new TinyMLOpsError('INVALID_OPTION', `--blobs: expected file:<dir> or s3://bucket?endpoint=…, got "${uri}"`);
}
