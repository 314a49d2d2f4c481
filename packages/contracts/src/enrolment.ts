import { z } from 'zod';
import { Id, SchemaVersion1, Timestamp } from './primitives.js';

/** What a device tells about itself when it enrols. */
export const DevicePlatform = z.strictObject({
  arch: z.string().max(32),
  os: z.string().max(64),
  node: z.string().max(32),
  hardware: z.string().max(128).optional(),
});
export type DevicePlatform = z.infer<typeof DevicePlatform>;

/**
 * `POST /device/v1/enrol` body.
 * @example
 * { "schemaVersion": 1, "enrolmentToken": "demo-open-enrolment", "hardwareId": "pi-zero-0042",
 *   "name": "shelf-camera-1", "platform": { "arch": "arm64", "os": "linux", "node": "20.20.2" } }
 */
export const EnrolmentRequest = z.strictObject({
  schemaVersion: SchemaVersion1,
  enrolmentToken: z.string().min(8).max(256),
  hardwareId: z.string().min(1).max(128),
  name: z.string().min(1).max(128).optional(),
  platform: DevicePlatform,
  tags: z.array(z.string().min(1).max(64)).max(32).optional(),
  /**
   * A secret the device made once and keeps beside its credentials. The server keeps its hash: a
   * later enrolment of the same `hardwareId` (a device that lost its token) must present it, so
   * nobody who merely knows the hardwareId can take the device over.
   */
  deviceKey: z.string().min(32).max(256).optional(),
});
export type EnrolmentRequest = z.infer<typeof EnrolmentRequest>;

/**
 * `POST /device/v1/enrol` answer. `deviceToken` is shown once; the server keeps only its hash.
 * @example
 * { "schemaVersion": 1, "deviceId": "dev_8Hq2kLw0", "deviceToken": "tds_…", "serverTime": "2026-11-26T10:00:00.000Z",
 *   "heartbeatIntervalSeconds": 60 }
 */
export const EnrolmentResponse = z.strictObject({
  schemaVersion: SchemaVersion1,
  deviceId: Id,
  deviceToken: z.string().min(32).max(256),
  serverTime: Timestamp,
  heartbeatIntervalSeconds: z.number().int().positive(),
});
export type EnrolmentResponse = z.infer<typeof EnrolmentResponse>;
