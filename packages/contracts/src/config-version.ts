import { z } from 'zod';
import { DeviceDriftDetectors } from './drift-detector-config.js';
import { OperationalMode, SchemaVersion1, Timestamp, Version } from './primitives.js';

/** A configuration's name, e.g. `shelf-cameras`. */
export const ConfigId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'expected 1–64 characters of a–z, 0–9, ".", "_" or "-", starting with a letter or digit',
  );

/**
 * The server-controllable subset of `device.json`: what TinySphere may change on a device. Each
 * field is optional; an absent one leaves the device's own value in force. `mode` and
 * `syncIntervalSeconds` apply at once; detectors, budgets and sampling take effect when the device
 * program next starts (the device says so in its report).
 * @example
 * { "mode": "server-assisted", "syncIntervalSeconds": 60, "sampling": { "imageSampleRate": 0.05 } }
 */
export const DeviceConfigPatch = z.strictObject({
  mode: OperationalMode.optional(),
  drift: z
    .strictObject({
      detectors: DeviceDriftDetectors.optional(),
      samplesPerEpisode: z.number().int().min(0).max(1000).optional(),
    })
    .optional(),
  syncIntervalSeconds: z.number().int().min(1).max(86_400).optional(),
  budgets: z
    .strictObject({
      outboxBytes: z.number().int().min(65_536).optional(),
      logBytes: z.number().int().min(65_536).optional(),
    })
    .optional(),
  sampling: z.strictObject({ imageSampleRate: z.number().min(0).max(1).optional() }).optional(),
});
export type DeviceConfigPatch = z.infer<typeof DeviceConfigPatch>;

/** Which configuration version a device is sent (inside its settings document). */
export const ConfigRef = z.strictObject({ configId: ConfigId, version: Version });
export type ConfigRef = z.infer<typeof ConfigRef>;

/**
 * `POST /api/v1/configs/:configId/versions` body: a new, immutable configuration version.
 * @example
 * { "version": "1.1.0", "description": "sync every minute", "config": { "syncIntervalSeconds": 60 } }
 */
export const ConfigVersionRequest = z.strictObject({
  version: Version,
  description: z.string().max(500).optional(),
  config: DeviceConfigPatch,
});
export type ConfigVersionRequest = z.infer<typeof ConfigVersionRequest>;

/** One stored configuration version. */
export const ConfigVersion = z.strictObject({
  schemaVersion: SchemaVersion1,
  configId: ConfigId,
  version: Version,
  description: z.string().nullable(),
  config: DeviceConfigPatch,
  createdAt: Timestamp,
  createdBy: z.string().nullable(),
});
export type ConfigVersion = z.infer<typeof ConfigVersion>;

/** `GET /api/v1/configs` answer: every configuration version, newest first. */
export const ConfigVersionList = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(ConfigVersion.omit({ schemaVersion: true })),
});
export type ConfigVersionList = z.infer<typeof ConfigVersionList>;
