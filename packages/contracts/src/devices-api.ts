import { z } from 'zod';
import { DevicePlatform } from './enrolment.js';
import { DeviceStatus, HeartbeatMetrics } from './heartbeat.js';
import { ApiRole, Id, ModelRef, OperationalMode, SchemaVersion1, Timestamp } from './primitives.js';

/** A token's role, checked at every boundary that takes one. */

/** Where a device is, as people describe it. */
export const DeviceLocation = z.strictObject({
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  description: z.string().max(256).optional(),
});
export type DeviceLocation = z.infer<typeof DeviceLocation>;

/**
 * A device as the people API shows it. `online` is derived from `lastSeenAt` and the server's
 * offline threshold, never stored.
 */
export const DeviceSummary = z.strictObject({
  deviceId: Id,
  hardwareId: z.string(),
  name: z.string(),
  tags: z.array(z.string()),
  group: z.string().nullable(),
  location: DeviceLocation.nullable(),
  platform: DevicePlatform,
  enrolledAt: Timestamp,
  lastSeenAt: Timestamp.nullable(),
  online: z.boolean(),
  status: DeviceStatus.nullable(),
  mode: OperationalMode.nullable(),
  model: ModelRef.nullable(),
  stateVersion: z.number().int().nonnegative().nullable(),
  metrics: HeartbeatMetrics.nullable(),
});
export type DeviceSummary = z.infer<typeof DeviceSummary>;

/** `GET /api/v1/devices` answer: one page, newest enrolment first. */
export const DeviceListPage = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(DeviceSummary),
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
});
export type DeviceListPage = z.infer<typeof DeviceListPage>;

/** `PATCH /api/v1/devices/:id` body: only the fields given change; null clears group or location. */
export const DeviceUpdate = z.strictObject({
  name: z.string().min(1).max(128).optional(),
  tags: z.array(z.string().min(1).max(64)).max(32).optional(),
  group: z.string().min(1).max(64).nullable().optional(),
  location: DeviceLocation.nullable().optional(),
});
export type DeviceUpdate = z.infer<typeof DeviceUpdate>;

/** `POST /api/v1/enrolment-tokens` body (admin). */
export const EnrolmentTokenRequest = z.strictObject({
  uses: z.number().int().positive().max(1_000_000).nullable().default(1),
  expiresInSeconds: z
    .number()
    .int()
    .positive()
    .max(366 * 86_400)
    .nullable()
    .default(7 * 86_400),
});
export type EnrolmentTokenRequest = z.infer<typeof EnrolmentTokenRequest>;

/** A new enrolment token; the token itself is shown once. */
export const EnrolmentTokenResponse = z.strictObject({
  schemaVersion: SchemaVersion1,
  tokenId: Id,
  enrolmentToken: z.string().min(8),
  usesLeft: z.number().int().nonnegative().nullable(),
  expiresAt: Timestamp.nullable(),
});
export type EnrolmentTokenResponse = z.infer<typeof EnrolmentTokenResponse>;

/** `POST /api/v1/api-tokens` body (admin). */
export const ApiTokenRequest = z.strictObject({ name: z.string().min(1).max(128), role: ApiRole });
export type ApiTokenRequest = z.infer<typeof ApiTokenRequest>;

/** A new API token; the token itself is shown once. */
export const ApiTokenResponse = z.strictObject({
  schemaVersion: SchemaVersion1,
  tokenId: Id,
  name: z.string(),
  role: ApiRole,
  apiToken: z.string().min(32),
});
export type ApiTokenResponse = z.infer<typeof ApiTokenResponse>;

/**
 * `DELETE /api/v1/api-tokens/{tokenId}` and `DELETE /api/v1/enrolment-tokens/{tokenId}` answer
 * (admin): the token no longer works from `revokedAt` on. Revoking again answers the first time.
 */
export const TokenRevocation = z.strictObject({ schemaVersion: SchemaVersion1, tokenId: Id, revokedAt: Timestamp });
export type TokenRevocation = z.infer<typeof TokenRevocation>;

/**
 * `DELETE /api/v1/devices/{deviceId}/credentials` answer (admin): the device's token fails from
 * `revokedAt` on; the device gets in again only by enrolling with a valid enrolment token.
 */
export const DeviceCredentialRevocation = z.strictObject({
  schemaVersion: SchemaVersion1,
  deviceId: Id,
  revokedAt: Timestamp,
});
export type DeviceCredentialRevocation = z.infer<typeof DeviceCredentialRevocation>;
