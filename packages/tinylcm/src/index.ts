/**
 * @tinymlops/tinylcm — the on-device lifecycle library. One export line per module; each module's
 * doc comments carry its examples.
 * @example
 * import { Outbox, SyncClient, buildPackage } from '@tinymlops/tinylcm';
 */
export * from './drift/drift-detector.js';
export * from './sync/atomic-write.js';
export * from './sync/backoff.js';
export * from './sync/bundle-download.js';
export * from './sync/device-api.js';
export * from './sync/device-credentials.js';
export * from './sync/feedback-puller.js';
export * from './sync/model-updater.js';
export * from './sync/outbox.js';
export * from './sync/package-builder.js';
export * from './sync/package-uploader.js';
export * from './sync/sync-client.js';
export * from './sync/sync-logger.js';
export * from './sync/tar-archive.js';
export * from './sync/sync-status.js';
