/**
 * The simulated server of the adaptation evaluation: validated labels as the device receives them
 * (feedback v2: each carries the sample's features and the model that computed them), or as an
 * old device received them (v1: no features) for the side-by-side comparison.
 */
import { encodeFloat32, type FeedbackItem } from '@tinymlops/contracts';
import type { InboxItem, LoadedBundle } from '../packages/tinylcm/src/index.js';

/** A quarantined sample the server may label: its id, features and true class. */
export interface LabelCandidate {
  sampleId: string;
  features: Float32Array;
  truth: string;
  heldOut: boolean;
}

let cursor = 0;

/**
 * Labels for `samples` with their true classes; `carryFeatures: false` makes them v1 labels.
 * @example
 * await device.adaptation.applyInbox(labelItems(bundle, picked, { carryFeatures: true }));
 */
export function labelItems(
  bundle: LoadedBundle,
  samples: readonly LabelCandidate[],
  o: { carryFeatures: boolean; source?: 'own' | 'fleet' },
): InboxItem[] {
  const at = '2026-11-26T12:05:00.000Z';
  const model = { modelId: bundle.manifest.id, version: bundle.manifest.version };
  return samples.map((s): Extract<FeedbackItem, { kind: 'label' }> => {
    cursor++;
    const id = { feedbackId: `fb_${String(cursor).padStart(8, '0')}`, cursor, issuedAt: at, validatedAt: at };
    const what = { kind: 'label' as const, decision: 'label' as const, label: s.truth, sampleId: s.sampleId };
    const features = o.carryFeatures ? encodeFloat32(s.features) : null;
    const from = { source: o.source ?? 'own', sourceDeviceId: 'dev_evalsrc01', model, features };
    return { ...id, ...what, episodeId: null, ...from };
  });
}
