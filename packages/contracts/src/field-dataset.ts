import { z } from 'zod';
import { Id, Label, MediaType, SchemaVersion1, Sha256, Timestamp, Version } from './primitives.js';

/** A model id as the registry spells it. */
export const ModelId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a lower-case model id');

const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).max(500)]).optional();

/**
 * Query of `GET /api/v1/exports/validated-samples` and the CLI's `tinysphere export samples`: the
 * validated (labelled) drift samples of one model, optionally narrowed by version, time of
 * capture, label and device. `class` and `deviceId` may repeat.
 * @example
 * ?modelId=fashion-mnv2&since=2026-11-01T00:00:00Z&class=bag&class=coat
 */
export const FieldExportQuery = z.strictObject({
  modelId: ModelId,
  version: Version.optional(),
  since: Timestamp.optional(),
  until: Timestamp.optional(),
  class: oneOrMany(Label),
  deviceId: oneOrMany(Id),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
});
export type FieldExportQuery = z.infer<typeof FieldExportQuery>;

/** The filter an export was made with, as recorded in its `dataset.json`. */
export const FieldExportFilter = z.strictObject({
  modelId: ModelId,
  version: Version.nullable(),
  since: Timestamp.nullable(),
  until: Timestamp.nullable(),
  classes: z.array(Label),
  deviceIds: z.array(Id),
  limit: z.number().int().positive(),
});
export type FieldExportFilter = z.infer<typeof FieldExportFilter>;

/**
 * `dataset.json`, the first file of a field dataset (a `.tar.gz`, format
 * `tinymlops-field-dataset/v1`). Next to it: `samples.jsonl` (one {@link FieldSampleRecord} per
 * line, in row order), `features.f32` (`count × featureDim` little-endian float32, row-major: the
 * features as the device's KNN saw them, i.e. after the bundle's transform) and `images/` (the
 * frames the devices captured, when they sent them).
 * @example
 * { "schemaVersion": 1, "format": "tinymlops-field-dataset/v1", "count": 2, "featureDim": 256, … }
 */
export const FieldDatasetManifest = z.strictObject({
  schemaVersion: SchemaVersion1,
  format: z.literal('tinymlops-field-dataset/v1'),
  createdAt: Timestamp,
  filter: FieldExportFilter,
  modelVersions: z.array(Version),
  featureSpace: z.literal('transformed'),
  featureDim: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  classes: z.array(z.strictObject({ label: Label, count: z.number().int().positive() })),
  files: z.strictObject({
    samples: z.literal('samples.jsonl'),
    features: z.literal('features.f32'),
    images: z.literal('images/'),
  }),
});
export type FieldDatasetManifest = z.infer<typeof FieldDatasetManifest>;

/** One line of `samples.jsonl`: a sample a person labelled, where it came from and where its data is. */
export const FieldSampleRecord = z.strictObject({
  /** Row of this sample in `features.f32`. */
  index: z.number().int().nonnegative(),
  deviceId: Id,
  sampleId: Id,
  episodeId: Id,
  modelId: ModelId,
  modelVersion: Version.nullable(),
  capturedAt: Timestamp,
  validatedAt: Timestamp,
  validatedBy: z.string().nullable(),
  /** The label a person gave. */
  label: Label,
  /** What the device predicted at the time. */
  predictedLabel: Label,
  confidence: z.number(),
  image: z
    .strictObject({
      path: z.string().startsWith('images/'),
      mediaType: MediaType,
      size: z.number().int(),
      sha256: Sha256,
    })
    .nullable(),
});
export type FieldSampleRecord = z.infer<typeof FieldSampleRecord>;
