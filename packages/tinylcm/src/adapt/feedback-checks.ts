import { decodeFloat32, type FeedbackItem, type ReferenceStats } from '@tinymlops/contracts';
import type { AdaptableClassifier } from './adaptable-classifier.js';

/** What a label's features must match on this device. */
export interface FeedbackChecks {
  /** The model the device runs (`id`, `version`): features from another model mean nothing here. */
  model?: { modelId: string; version: string };
  /** The classifier's feature dimension. */
  dim?: number;
  /**
   * The model's reference KNN-distance statistics. With them a label shared from another device
   * is refused when its sample lies deep inside one of this device's own classes: closer to
   * them (mean distance below `mean − std`, vote ≥ 0.8) than most of their own frames are, it
   * would take those frames over. The device's own labels are not checked this way: a person
   * looked at that very sample on this device.
   */
  reference?: Pick<ReferenceStats, 'mean' | 'std'>;
}

/**
 * Why a label cannot be applied from the features it carries, or undefined when it can: the
 * server lost them, they come from another model version, their dimension or values do not fit,
 * or (shared from another device) they lie inside one of this device's own classes.
 * @example
 * const why = checkLabel(item, { model: { modelId: 'fashion-mnv2', version: '1.0.0' }, dim: 256 });
 */
export function checkLabel(
  f: Extract<FeedbackItem, { kind: 'label' }>,
  checks: FeedbackChecks = {},
  classifier?: Pick<AdaptableClassifier, 'predict'>,
): string | undefined {
  if (!f.features) return 'the device no longer holds the sample and the label carries no features';
  const m = f.model;
  const own = checks.model;
  if (m && own && (m.modelId !== own.modelId || m.version !== own.version))
    return `features come from ${m.modelId}@${m.version}; this device runs ${own.modelId}@${own.version}`;
  if (checks.dim !== undefined && f.features.dim !== checks.dim)
    return `features have ${f.features.dim} values; this device's classifier takes ${checks.dim}`;
  const x = decodeFloat32(f.features);
  if (!x.every(Number.isFinite)) return 'features contain values that are not finite numbers';
  const ref = checks.reference;
  if (f.source !== 'fleet' || !ref || !classifier) return undefined;
  const p = classifier.predict(x);
  const inside = p.label !== null && p.label !== f.label && p.confidence >= 0.8 && p.meanDistance < ref.mean - ref.std;
  if (!inside) return undefined;
  const [d, limit] = [p.meanDistance.toPrecision(3), (ref.mean - ref.std).toPrecision(3)];
  return `shared sample lies inside this device's class ${p.label} (distance ${d} < ${limit})`;
}
