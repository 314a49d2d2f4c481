import { z } from 'zod';
import { ApiRole, Id, ModelRef, SchemaVersion1, Timestamp } from './primitives.js';

// The dashboard's landing page parses exactly these answers. They live apart from the other
// dashboard shapes so the page's first script builds only these schemas (zod builds each schema
// when its module is evaluated); every other page's shapes load with that page.

/** `GET /api/v1/session`: who the presented API token is. */
export const SessionInfo = z.strictObject({
  schemaVersion: SchemaVersion1,
  tokenId: Id,
  name: z.string(),
  role: ApiRole,
});
export type SessionInfo = z.infer<typeof SessionInfo>;

/** Kinds of events on the overview's recent-events feed. */
export const OVERVIEW_EVENT_KINDS = ['drift-start', 'drift-end', 'enrolled', 'package-failed', 'validated'] as const;

/**
 * `GET /api/v1/overview`: fleet health, drift awaiting review, ingestion status, recent events.
 * A device is online when heard from within two heartbeat intervals, stale until the server's
 * offline threshold, offline after it (or never seen).
 */
export const FleetOverview = z.strictObject({
  schemaVersion: SchemaVersion1,
  generatedAt: Timestamp,
  devices: z.strictObject({
    total: z.number().int().nonnegative(),
    online: z.number().int().nonnegative(),
    stale: z.number().int().nonnegative(),
    offline: z.number().int().nonnegative(),
  }),
  drift: z.strictObject({
    openEpisodes: z.number().int().nonnegative(),
    episodesAwaitingValidation: z.number().int().nonnegative(),
    pendingSamples: z.number().int().nonnegative(),
  }),
  ingestion: z.strictObject({
    queuedJobs: z.number().int().nonnegative(),
    runningJobs: z.number().int().nonnegative(),
    deadJobs: z.number().int().nonnegative(),
    failedPackages: z.number().int().nonnegative(),
  }),
  /** Drift episodes started per bucket since `since` (default: per hour, 7 days; only non-empty buckets). */
  driftRate: z.strictObject({
    bucketSeconds: z.number().int().positive(),
    since: Timestamp,
    points: z.array(z.strictObject({ bucket: Timestamp, episodes: z.number().int().nonnegative() })),
  }),
  recentEvents: z.array(
    z.strictObject({
      at: Timestamp,
      kind: z.enum(OVERVIEW_EVENT_KINDS),
      deviceId: Id,
      /** The device's name (absent from older servers). */
      deviceName: z.string().optional(),
      subject: z.string(),
    }),
  ),
  /** Devices by the model version they last reported running (null: none reported yet). */
  fleetByModel: z
    .array(z.strictObject({ model: ModelRef.nullable(), devices: z.number().int().nonnegative() }))
    .optional(),
});
export type FleetOverview = z.infer<typeof FleetOverview>;

/** Drift rate per bucket of time: episodes started per device-hour, split by a dimension. */
export const DriftRateSeries = z.strictObject({
  schemaVersion: SchemaVersion1,
  by: z.enum(['device', 'model', 'class']),
  bucketSeconds: z.number().int().positive(),
  points: z.array(
    z.strictObject({ bucket: Timestamp, key: z.string(), episodes: z.number().int(), samples: z.number().int() }),
  ),
  /** What to show for a key (the device's name when split by device); absent: the key itself. */
  labels: z.record(z.string(), z.string()).optional(),
});
export type DriftRateSeries = z.infer<typeof DriftRateSeries>;
