import { z } from 'zod';
import { API_ROLES } from './api-roles.js';
import { OPERATIONAL_MODES } from './operational-modes.js';

/** Version 1 of a top-level document. Every top-level document carries `schemaVersion`. */
export const SchemaVersion1 = z.literal(1);

/** Lower-case hex SHA-256 digest. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lower-case hex sha256 digest (64 characters)');

/** ISO-8601 timestamp with a time zone, e.g. `2026-11-26T10:00:00.000Z`. */
export const Timestamp = z.iso.datetime({ offset: true });

/** Opaque identifier used for devices, packages, samples, episodes: URL-safe, 8–64 characters. */
export const Id = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8–64 characters of A–Z, a–z, 0–9, _ or -');

/** A model or bundle version, semver-like (`1.0.0`, `2.1.0-rc.1`). */
export const Version = z
  .string()
  .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'expected a version like 1.2.3 or 1.2.3-rc.1');

/** A class label as shown to people: 1–64 printable characters. */
export const Label = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\p{Cc}]+$/u, 'labels may not contain control characters');

/** A relative POSIX path inside an archive or bundle: no absolute paths, no `..`, no backslashes. */
export const RelativePath = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '' || s === '.'),
    'expected a relative path without "..", "." or empty segments, leading "/" or backslashes',
  );

/**
 * A device-reported count or version the server stores in a 32-bit column (state versions, frame
 * indices, sample counts): bounded here so an out-of-range value is a 400 with the field's path,
 * not a database error.
 */
export const StoredCount = z.number().int().nonnegative().max(2_147_483_647);

/** A monotonically increasing per-device sequence number (stored in 32 bits, like every count). */
export const Sequence = StoredCount;

/** Operational mode schema. */
export const OperationalMode = z.enum(OPERATIONAL_MODES);
export type OperationalMode = z.infer<typeof OperationalMode>;

/** Distance metrics the KNN classifier supports. */
export const DISTANCE_METRICS = ['euclidean', 'cosine', 'manhattan'] as const;
/** Distance metric schema. */
export const DistanceMetric = z.enum(DISTANCE_METRICS);
export type DistanceMetric = z.infer<typeof DistanceMetric>;

/** Media types allowed for files inside packages and bundles. */
export const MediaType = z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'expected a media type like application/json');

/**
 * The image types a device may send (drift samples, prediction samples) and the server serves as
 * images. Anything else (text/html, image/svg+xml) could run script in the dashboard's origin.
 */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg'] as const;
/** Image media type schema. */
export const ImageMediaType = z.enum(IMAGE_MEDIA_TYPES);
export type ImageMediaType = z.infer<typeof ImageMediaType>;

/** A file listed in a manifest: path, digest, size in bytes and media type. */
export const FileEntry = z.strictObject({
  path: RelativePath,
  sha256: Sha256,
  size: z.number().int().nonnegative(),
  mediaType: MediaType,
});
export type FileEntry = z.infer<typeof FileEntry>;

export const ModelRef = z.strictObject({ modelId: z.string().min(1).max(64), version: Version });
export type ModelRef = z.infer<typeof ModelRef>;

/** A person's API token role (see API_ROLES). */
export const ApiRole = z.enum(API_ROLES);
export type ApiRole = z.infer<typeof ApiRole>;
