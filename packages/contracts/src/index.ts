/**
 * @tinymlops/contracts — every wire shape of TinyMLOps, as zod schemas with inferred types,
 * and the closed set of error codes. Nothing else in the project defines a wire shape.
 * @example
 * import { HeartbeatRequest, parseOrThrow } from '@tinymlops/contracts';
 * const hb = parseOrThrow(HeartbeatRequest, JSON.parse(body), 'heartbeat');
 */
export * from './operational-modes.js';
export * from './primitives.js';
export * from './float32-base64.js';
export * from './error-codes.js';
export * from './error-envelope.js';
export * from './tinymlops-error.js';
export * from './detector-snapshot.js';
export * from './enrolment.js';
export * from './inference.js';
export * from './heartbeat.js';
export * from './drift.js';
export * from './telemetry.js';
export * from './adaptation.js';
export * from './package-limits.js';
export * from './package-manifest.js';
export * from './model-bundle.js';
export * from './bundle-documents.js';
export * from './device-config.js';
export * from './local-output.js';
export * from './api-roles.js';
export * from './devices-api.js';
export * from './registry-api.js';
export * from './field-dataset.js';
export * from './mlflow-api.js';
export * from './bundle-build.js';
export * from './drift-api.js';
export * from './top-level-schemas.js';
export * from './dashboard-api.js';
export * from './overview-api.js';
export * from './live-events.js';
export * from './delivery-status.js';
export * from './share-scope.js';
export * from './device-settings.js';
export * from './feedback-v2.js';
export * from './learning-api.js';
export * from './drift-option-rules.js';
export * from './drift-stream-options.js';
export * from './drift-monitor-options.js';
export * from './drift-detector-config.js';
export * from './config-version.js';
export * from './rollout.js';
export * from './review-api.js';
