import { z } from 'zod';
import { DistanceMetric, Label, SchemaVersion1 } from './primitives.js';

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

/**
 * `transform.json`: StandardScaler then PCA, as fitted by scikit-learn
 * (`y = ((x − scaler.mean) / scaler.scale − pca.mean) · componentsᵀ`).
 */
export const TransformDocument = z
  .strictObject({
    schemaVersion: SchemaVersion1,
    inputDim: z.number().int().positive(),
    outputDim: z.number().int().positive(),
    scaler: z.strictObject({ mean: z.array(finite), scale: z.array(finite) }).optional(),
    pca: z
      .strictObject({
        mean: z.array(finite),
        components: z.array(z.array(finite)),
        explainedVarianceRatio: z.array(finite).optional(),
      })
      .optional(),
  })
  .superRefine((t, ctx) => {
    const d = t.inputDim;
    if (t.scaler && (t.scaler.mean.length !== d || t.scaler.scale.length !== d))
      ctx.addIssue({
        code: 'custom',
        path: ['scaler'],
        message: `scaler mean and scale must have inputDim (${d}) entries`,
      });
    if (t.scaler?.scale.some((s) => s === 0))
      ctx.addIssue({ code: 'custom', path: ['scaler', 'scale'], message: 'scale entries must be non-zero' });
    if (t.pca) {
      if (t.pca.mean.length !== d)
        ctx.addIssue({ code: 'custom', path: ['pca', 'mean'], message: `must have inputDim (${d}) entries` });
      if (t.pca.components.length !== t.outputDim)
        ctx.addIssue({
          code: 'custom',
          path: ['pca', 'components'],
          message: `must have outputDim (${t.outputDim}) rows`,
        });
      const bad = t.pca.components.findIndex((row) => row.length !== d);
      if (bad >= 0)
        ctx.addIssue({
          code: 'custom',
          path: ['pca', 'components', bad],
          message: `row must have inputDim (${d}) entries`,
        });
    } else if (t.outputDim !== d) {
      ctx.addIssue({ code: 'custom', path: ['outputDim'], message: 'without pca, outputDim must equal inputDim' });
    }
  });
export type TransformDocument = z.infer<typeof TransformDocument>;

/**
 * `knn-state.json`: labelled samples in transformed feature space, base64 little-endian float32,
 * `count × dim`, row-major.
 */
export const KnnStateDocument = z
  .strictObject({
    schemaVersion: SchemaVersion1,
    dim: z.number().int().positive(),
    count: z.number().int().nonnegative(),
    metric: DistanceMetric,
    k: z.number().int().positive(),
    labels: z.array(Label),
    features: z.base64(),
    timestamps: z.array(z.number()).optional(),
  })
  .refine((s) => s.labels.length === s.count, { message: 'labels must have count entries', path: ['labels'] })
  .refine((s) => Buffer.from(s.features, 'base64').length === s.count * s.dim * 4, {
    message: 'features must hold count × dim float32 values',
    path: ['features'],
  });
export type KnnStateDocument = z.infer<typeof KnnStateDocument>;

/** Summary statistics of a scalar stream (used as detector references). */
export const ReferenceStats = z.strictObject({
  k: z.number().int().positive().optional(),
  metric: DistanceMetric.optional(),
  mean: finite,
  std: finite.refine((s) => s >= 0, 'std must be >= 0'),
  p50: finite.optional(),
  p95: finite.optional(),
  p99: finite.optional(),
  samples: z.number().int().positive(),
});
export type ReferenceStats = z.infer<typeof ReferenceStats>;

/** `detectors.json`: reference statistics shipped with a bundle. */
export const DetectorsReferenceDocument = z.looseObject({
  schemaVersion: SchemaVersion1,
  knnDistance: ReferenceStats,
  heldOutKnnDistance: ReferenceStats.optional(),
});
export type DetectorsReferenceDocument = z.infer<typeof DetectorsReferenceDocument>;

/** Re-exported for readers of bundle documents. */
export { Label };
