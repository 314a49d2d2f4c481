/**
 * The edge device program as a library: config loading, input sources and the run loop.
 * @example
 * import { runDevice } from '@tinymlops/device';
 * await runDevice({ configFile: 'device.json', maxFrames: 100 });
 */
export * from './load-device-config.js';
export * from './run-device.js';
export * from './device-status.js';
export * from './output/local-outputs.js';
export * from './output/local-prediction.js';
export * from './output/prediction-stream-server.js';
export * from './sources/frame-source.js';
export * from './sources/create-frame-source.js';
export * from './sources/jpeg-stream.js';
