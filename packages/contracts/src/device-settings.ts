import { z } from 'zod';
import { ConfigRef, DeviceConfigPatch } from './config-version.js';
import { DeliveryStatus } from './delivery-status.js';
import { Id, OperationalMode, SchemaVersion1, Timestamp } from './primitives.js';

/**
 * The server-controlled settings of one device: a small document the server resolves per device
 * (device rule over group rule) and delivers through the feedback inbox whenever it changes.
 * Every field is optional: an absent field leaves the device's own `device.json` value in force.
 * `revision` increases with every change for that device, so the device keeps the newest only.
 * The device applies it without a restart and keeps it across reboots.
 * @example
 * { "schemaVersion": 1, "revision": 3, "mode": "server-assisted" }
 */
export const DeviceSettings = z.strictObject({
  schemaVersion: SchemaVersion1,
  revision: z.number().int().positive(),
  mode: OperationalMode.optional(),
  /**
   * A configuration version rolled out to the device: it applies what it can at once, keeps the
   * rest for its next start, and rejects (saying why) what it cannot honour. `mode` above wins.
   */
  config: ConfigRef.extend({ settings: DeviceConfigPatch }).optional(),
});
export type DeviceSettings = z.infer<typeof DeviceSettings>;

/** `PUT /api/v1/settings/devices/:deviceId` and `/api/v1/settings/groups/:group` body; `null` clears a field. */
export const DeviceSettingsRule = z.strictObject({ mode: OperationalMode.nullable() });
export type DeviceSettingsRule = z.infer<typeof DeviceSettingsRule>;

/** Where a device's setting comes from. */
export const SETTINGS_SOURCES = ['device', 'group', 'config'] as const;

/**
 * `GET /api/v1/devices/:deviceId/settings` answer: what the server wants the device to run, where
 * that comes from, what was last sent, and what the device reported back.
 */
export const DeviceSettingsView = z.strictObject({
  schemaVersion: SchemaVersion1,
  deviceId: Id,
  group: z.string().nullable(),
  rules: z.strictObject({
    device: z.strictObject({ mode: OperationalMode.nullable() }),
    group: z.strictObject({ mode: OperationalMode.nullable() }).nullable(),
  }),
  desired: z.strictObject({ mode: OperationalMode.nullable(), source: z.enum(SETTINGS_SOURCES) }),
  /** The mode in the device's last heartbeat. */
  reportedMode: OperationalMode.nullable(),
  delivery: z
    .strictObject({
      revision: z.number().int().positive(),
      issuedAt: Timestamp,
      status: DeliveryStatus,
      reason: z.string().nullable(),
    })
    .nullable(),
});
export type DeviceSettingsView = z.infer<typeof DeviceSettingsView>;

/** `PUT /api/v1/settings/groups/:group` answer: how many devices of the group were sent new settings. */
export const GroupSettingsResult = z.strictObject({
  schemaVersion: SchemaVersion1,
  group: z.string(),
  devicesUpdated: z.number().int().nonnegative(),
});
export type GroupSettingsResult = z.infer<typeof GroupSettingsResult>;
