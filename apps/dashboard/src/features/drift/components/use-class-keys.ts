import type { DriftSampleDetail, DriftSampleSummary } from '@tinymlops/contracts';
import { useMemo } from 'react';
import { useReviewClasses } from '../api/review-actions';

/**
 * The classes offered for a review, in key order (1–9 are the first nine). They must mean the
 * same whichever sample is focused, so the order is: classes of the samples on screen and classes
 * people created before (alphabetical), then the model's other labels, then the focused sample's
 * neighbour labels.
 */
export function useClassKeys(samples: DriftSampleSummary[], detail: DriftSampleDetail | undefined): string[] {
  const known = useReviewClasses().data?.items;
  return useMemo(() => {
    const created = (known ?? []).filter((c) => c.sources.includes('validated')).map((c) => c.label);
    const shown = samples.flatMap((s) => (s.label ? [s.predictedLabel, s.label] : [s.predictedLabel]));
    const base = [...new Set([...shown, ...created])].sort();
    const model = (known ?? []).map((c) => c.label).sort();
    const neighbours = (detail?.neighbours ?? []).map((n) => n.label);
    return [...new Set([...base, ...model, ...neighbours])];
  }, [known, samples, detail]);
}
