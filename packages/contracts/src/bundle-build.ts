import { z } from 'zod';

/**
 * `build.json`, next to a bare model in an MLflow artifact folder (`model.tflite`, `labels.txt`,
 * `examples/`): how TinySphere should build the bundle when it imports the version. Every field is
 * optional; the defaults are those of `tinysphere bundle build`.
 * @example
 * { "featureTensor": "feature_pool", "knnPerClass": 25, "pca": 256 }
 */
export const BundleBuildSettings = z.strictObject({
  description: z.string().max(2048).optional(),
  featureTensor: z.string().min(1).optional(),
  normalization: z
    .union([z.enum(['0..1', '-1..1', 'raw']), z.strictObject({ scale: z.number(), offset: z.number() })])
    .optional(),
  colorOrder: z.enum(['rgb', 'bgr']).optional(),
  knnPerClass: z.number().int().positive().optional(),
  fitPerClass: z.number().int().positive().optional(),
  holdout: z.number().min(0).lt(1).optional(),
  holdoutPerClass: z.number().int().positive().optional(),
  pca: z.union([z.number().int().nonnegative(), z.literal(false)]).optional(),
  k: z.number().int().positive().optional(),
  seed: z.number().int().nonnegative().optional(),
});
export type BundleBuildSettings = z.infer<typeof BundleBuildSettings>;
