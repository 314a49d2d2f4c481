/** Where the server keeps its data. */
export interface StorageOptions {
  /** `pglite:<dir>` or `postgres://…`. */
  db: string;
  /** `file:<dir>` or `s3://bucket?endpoint=…&region=…`. */
  blobs: string;
  poolSize?: number;
}

/**
 * The embedded defaults: PGlite and files under `./.tinymlops`. Kept apart from `main.ts` so the
 * command line can show them without loading the server.
 * @example
 * await openStorage(DEFAULT_STORAGE);
 */
export const DEFAULT_STORAGE: StorageOptions = { db: 'pglite:./.tinymlops/db', blobs: 'file:./.tinymlops/blobs' };
