import { z } from 'zod';
import { InferenceBackend, InferenceThreads } from './inference.js';
import { Id, ModelRef, OperationalMode, SchemaVersion1, StoredCount, Timestamp } from './primitives.js';

/** Which model a device runs. */

/** Summary metrics a device reports with each heartbeat: counters are totals since the device program started (the server diffs them), gauges are current values. */
export const HeartbeatMetrics = z.strictObject({
  framesProcessed: z.number().int().nonnegative(),
  inferenceMsP50: z.number().nonnegative().optional(),
  inferenceMsP95: z.number().nonnegative().optional(),
  rssMb: z.number().nonnegative().optional(),
  cpuPercent: z.number().nonnegative().optional(),
  driftActive: z.boolean(),
  outboxBytes: z.number().int().nonnegative(),
  outboxPackages: z.number().int().nonnegative(),
  droppedPackages: z.number().int().nonnegative(),
  /** The backend the model runs on (chosen automatically unless the config pins one) and its threads. */
  inferenceBackend: InferenceBackend.optional(),
  inferenceThreads: InferenceThreads.optional(),
});
export type HeartbeatMetrics = z.infer<typeof HeartbeatMetrics>;

/** Device health as the device sees it. */
export const DEVICE_STATUSES = ['ok', 'degraded', 'error'] as const;
export const DeviceStatus = z.enum(DEVICE_STATUSES);
export type DeviceStatus = z.infer<typeof DeviceStatus>;

/**
 * `POST /device/v1/heartbeat` body.
 * @example
 * { "schemaVersion": 1, "sentAt": "2026-11-26T10:01:00.000Z", "status": "ok", "mode": "monitoring-only",
 *   "model": { "modelId": "fashion-mnv2", "version": "1.0.0" }, "stateVersion": 3, "uptimeSeconds": 60,
 *   "metrics": { "framesProcessed": 60, "driftActive": false, "outboxBytes": 0, "outboxPackages": 0, "droppedPackages": 0 } }
 */
export const HeartbeatRequest = z.strictObject({
  schemaVersion: SchemaVersion1,
  sentAt: Timestamp,
  status: DeviceStatus,
  mode: OperationalMode,
  model: ModelRef.nullable(),
  stateVersion: StoredCount,
  uptimeSeconds: z.number().nonnegative(),
  metrics: HeartbeatMetrics,
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>;

/**
 * `POST /device/v1/heartbeat` answer: what waits for the device.
 * @example
 * { "schemaVersion": 1, "deviceId": "dev_8Hq2kLw0", "serverTime": "2026-11-26T10:01:00.010Z",
 *   "feedbackPending": 2, "assignmentEtag": "\"m1-1.1.0\"", "nextHeartbeatSeconds": 60 }
 */
export const HeartbeatResponse = z.strictObject({
  schemaVersion: SchemaVersion1,
  deviceId: Id,
  serverTime: Timestamp,
  feedbackPending: z.number().int().nonnegative(),
  assignmentEtag: z.string().nullable(),
  nextHeartbeatSeconds: z.number().int().positive(),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;
