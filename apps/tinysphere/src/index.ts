/**
 * @tinymlops/tinysphere — the TinyMLOps fleet server as a library: build the app, open storage,
 * run workers. The `tinysphere` CLI wraps these.
 * @example
 * import { buildApp, openStorage } from '@tinymlops/tinysphere';
 * const s = await openStorage({ db: 'pglite:./data/db', blobs: 'file:./data/blobs' });
 * const app = await buildApp({ db: s.database.db, blobs: s.blobs });
 */
export { buildApp, createWorker, type App, type AppOptions } from './app.js';
export { DEFAULT_CONFIG, type AppContext, type ServerConfig } from './app-context.js';
export { openStorage, serve, runWorkers, DEFAULT_STORAGE, type StorageOptions, type Storage } from './main.js';
export type { DetectorFactory, ReplayDetector } from './modules/drift/reanalysis.js';
export type { BlobStore, BlobInfo } from './storage/blob-store.js';
export type { Database, Db } from './storage/database.js';
