import type { Readable } from 'node:stream';
import { TinyMLOpsError } from '@tinymlops/contracts';

/** What a blob store says about one stored object. */
export interface BlobInfo {
  readonly key: string;
  readonly size: number;
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
  /** The object's bytes as a stream, or null when it does not exist. */
  get(key: string): Promise<Readable | null>;
  head(key: string): Promise<BlobInfo | null>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
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
