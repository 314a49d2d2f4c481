import { z } from 'zod';
import { FileEntry, Label, RelativePath, SchemaVersion1, Timestamp, Version } from './primitives.js';

/** How raw pixels become the model's input tensor. */
export const InputSpec = z.strictObject({
  name: z.string().min(1),
  shape: z.array(z.number().int().positive()).length(4),
  dtype: z.enum(['uint8', 'int8', 'float32']),
  colorOrder: z.enum(['rgb', 'bgr']),
  /** value fed = pixel × scale + offset (uint8 models that quantise internally use 1 and 0). */
  normalization: z.strictObject({ scale: z.number(), offset: z.number() }),
  resize: z.strictObject({
    method: z.literal('area'),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
  }),
  grayscaleToRgb: z.boolean(),
});
export type InputSpec = z.infer<typeof InputSpec>;

/** Optional ed25519 signature over the canonical bytes of `bundle.json` without `signature`. */
export const BundleSignature = z.strictObject({
  algorithm: z.literal('ed25519'),
  keyId: z.string().min(1).max(128),
  value: z.base64(),
});

/** A model file: its path in the bundle and its format. */
export const ModelFile = z.strictObject({ path: RelativePath, format: z.enum(['tflite', 'onnx']) });

/**
 * `bundle.json`: a versioned model bundle. Loading verifies the sha256 of every listed file.
 * @example see models/fashion-mnv2/bundle.json
 */
export const BundleManifest = z
  .strictObject({
    schemaVersion: SchemaVersion1,
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a lower-case model id'),
    version: Version,
    createdAt: Timestamp,
    description: z.string().max(2048).optional(),
    model: ModelFile.extend({
      /**
       * The same weights in other formats (e.g. an ONNX twin of a `.tflite`), so a device can run
       * whichever backend is fastest on its CPU. Same input, same feature tensor name and dim.
       */
      twins: z.array(ModelFile).max(4).optional(),
    }),
    input: InputSpec,
    featureTensor: z.strictObject({ name: z.string().min(1), dim: z.number().int().positive() }),
    labels: z.array(Label).min(1).max(10_000),
    heldOutLabels: z.array(Label).optional(),
    transform: RelativePath.optional(),
    knnState: RelativePath.optional(),
    detectors: RelativePath.optional(),
    files: z.array(FileEntry).min(1),
    signature: BundleSignature.optional(),
  })
  .superRefine((b, ctx) => {
    const paths = new Set(b.files.map((f) => f.path));
    for (const key of ['transform', 'knnState', 'detectors'] as const) {
      const p = b[key];
      if (p !== undefined && !paths.has(p))
        ctx.addIssue({ code: 'custom', path: [key], message: `${p} is not listed in files` });
    }
    if (!paths.has(b.model.path))
      ctx.addIssue({ code: 'custom', path: ['model', 'path'], message: `${b.model.path} is not listed in files` });
    const formats = new Set([b.model.format]);
    (b.model.twins ?? []).forEach((t, i) => {
      const issue = (key: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: ['model', 'twins', i, key], message });
      if (!paths.has(t.path)) issue('path', `${t.path} is not listed in files`);
      if (formats.has(t.format)) issue('format', `a second ${t.format} model`);
      formats.add(t.format);
    });
  });
export type BundleManifest = z.infer<typeof BundleManifest>;

/**
 * `GET /device/v1/assignment` answer (with an ETag header); 204 when nothing is assigned.
 * @example
 * { "schemaVersion": 1, "modelId": "fashion-mnv2", "version": "1.1.0", "bundleSha256": "…", "bundleSize": 1200000,
 *   "downloadPath": "/device/v1/models/fashion-mnv2/versions/1.1.0/bundle", "assignedAt": "2026-11-26T10:10:00.000Z" }
 */
export const ModelAssignment = z.strictObject({
  schemaVersion: SchemaVersion1,
  modelId: z.string().min(1).max(64),
  version: Version,
  bundleSha256: z.string().regex(/^[0-9a-f]{64}$/),
  bundleSize: z.number().int().positive(),
  downloadPath: z.string().startsWith('/'),
  assignedAt: Timestamp,
});
export type ModelAssignment = z.infer<typeof ModelAssignment>;

/** `POST /device/v1/assignment/report` body: what happened when the device installed a version. */
export const InstallReport = z.strictObject({
  schemaVersion: SchemaVersion1,
  modelId: z.string().min(1).max(64),
  version: Version,
  status: z.enum(['downloading', 'installed', 'failed', 'rolled-back']),
  message: z.string().max(2048).optional(),
  at: Timestamp,
});
export type InstallReport = z.infer<typeof InstallReport>;
