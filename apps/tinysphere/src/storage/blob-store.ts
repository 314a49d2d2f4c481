import type { Readable } from 'node:stream';
import { TinyMLOpsError } from '@tinymlops/contracts';

/** What a blob store says about one stored object. */
export interface BlobInfo {
  readonly key: string;
  readonly size: number;
}

/** A listed object: its key, size and when it was last written. */
export interface StoredBlob extends BlobInfo {
  readonly modifiedAt: Date;
}

/**
 * Where the server keeps bytes (packages, images, feature vectors, bundles). Keys are relative
 * slash-separated paths; `put` is atomic: a reader sees the old object, the new one, or nothing.
 * @example
 * await blobs.put('packages/dev_1/pkg_1.tgz', bytes);
 * const stream = await blobs.get('packages/dev_1/pkg_1.tgz');
 */
export interface BlobStore {
  put(key: string, body: Readable | Uint8Array): Promise<BlobInfo>;
  /** The most a streamed `put` buffers in memory (S3: one part); absent: a small stream buffer. */
  readonly putBufferBytes?: number;
  /** The object's bytes as a stream, or null when it does not exist. */
  get(key: string): Promise<Readable | null>;
  /** `length` bytes from `start`, or null when the object does not exist. */
  getRange(key: string, start: number, length: number): Promise<Buffer | null>;
  head(key: string): Promise<BlobInfo | null>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<StoredBlob[]>;
  /**
   * Deletes what interrupted writes left in the store's own scratch space (for a store that
   * has one, like the filesystem's `.tmp/`) when last written before `olderThan`; resolves with
   * how many went.
   */
  sweepScratch?(olderThan: Date): Promise<number>;
  close?(): Promise<void>;
}

const KEY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** Rejects keys that could escape a store's root (`..`, absolute, odd characters). */
export function assertBlobKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((s) => s === '..' || s === '.')) {
    throw new TinyMLOpsError('INVALID_OPTION', `invalid blob key "${key}"`);
  }
}

/** Reads a whole blob into memory (for small objects: documents, feature vectors). */
export async function readBlob(store: BlobStore, key: string): Promise<Buffer | null> {
  const stream = await store.get(key);
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
