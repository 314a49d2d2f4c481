import { decodeFloat32, type FeedbackItem } from '@tinymlops/contracts';

/** What a label's features must match on this device. */
export interface FeedbackChecks {
  /** The model the device runs (`id`, `version`): features from another model mean nothing here. */
  model?: { modelId: string; version: string };
  /** The classifier's feature dimension. */
  dim?: number;
}

/**
 * Why a label cannot be applied from the features it carries, or undefined when it can: the
 * server lost them, they come from another model version, their dimension or values do not fit.
 * @example
 * const why = checkLabel(item, { model: { modelId: 'fashion-mnv2', version: '1.0.0' }, dim: 256 });
 */
export function checkLabel(
  f: Extract<FeedbackItem, { kind: 'label' }>,
  checks: FeedbackChecks = {},
): string | undefined {
  if (!f.features) return 'the device no longer holds the sample and the label carries no features';
  const m = f.model;
  const own = checks.model;
  if (m && own && (m.modelId !== own.modelId || m.version !== own.version))
    return `features come from ${m.modelId}@${m.version}; this device runs ${own.modelId}@${own.version}`;
  if (checks.dim !== undefined && f.features.dim !== checks.dim)
    return `features have ${f.features.dim} values; this device's classifier takes ${checks.dim}`;
  if (!decodeFloat32(f.features).every(Number.isFinite)) return 'features contain values that are not finite numbers';
  return undefined;
}
