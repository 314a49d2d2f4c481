import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ReviewClassList,
  ValidationUndoResult,
  type DriftSampleSummary,
  type ValidationRequest,
} from '@tinymlops/contracts';
import { apiGet, apiSend } from '../../../lib/api-client';
import { validateSamples } from './validate-samples';

/** A sample as it was before a decision, so the decision can be undone. */
export type PriorState = Pick<DriftSampleSummary, 'deviceId' | 'sampleId' | 'status' | 'label'>;

const DRIFT_VIEWS = ['drift-samples', 'drift-sample', 'drift-episodes', 'review-queue', 'review-classes'];

/** Puts a validated sample back to pending on the server (its unacknowledged feedback is withdrawn). */
export const undoValidation = (s: Pick<DriftSampleSummary, 'deviceId' | 'sampleId'>) =>
  apiSend('DELETE', `/api/v1/drift/samples/${s.deviceId}/${s.sampleId}/validation`, undefined, ValidationUndoResult);

/** The decision that puts a sample back to `prior` (a pending prior needs none). */
function restoring(prior: PriorState): ValidationRequest | null {
  if (prior.status === 'false-alarm') return { decision: 'false-alarm' };
  if (prior.status === 'labelled' && prior.label) return { decision: 'label', label: prior.label };
  return null;
}

/**
 * Applies one decision to several samples: pending ones are validated, validated ones are
 * relabelled (their validation undone first). Resolves with the results and each sample's prior
 * state, for {@link useUndoDecision}.
 */
async function decide(targets: DriftSampleSummary[], validation: ValidationRequest) {
  const prior: PriorState[] = targets.map(({ deviceId, sampleId, status, label }) => ({
    deviceId,
    sampleId,
    status,
    label,
  }));
  for (const t of targets) if (t.status !== 'pending') await undoValidation(t);
  const items = targets.map((s) => ({ deviceId: s.deviceId, sampleId: s.sampleId, validation }));
  const response = await validateSamples({ items });
  const done = new Set(response?.results.filter((r) => r.ok).map((r) => `${r.deviceId}/${r.sampleId}`));
  return { response, prior: prior.filter((p) => done.has(`${p.deviceId}/${p.sampleId}`)) };
}

/** Undoes decisions: each sample goes back to exactly the state it had before. */
async function undo(prior: PriorState[]): Promise<number> {
  const back: { deviceId: string; sampleId: string; validation: ValidationRequest }[] = [];
  for (const p of prior) {
    await undoValidation(p);
    const v = restoring(p);
    if (v) back.push({ deviceId: p.deviceId, sampleId: p.sampleId, validation: v });
  }
  if (back.length > 0) await validateSamples({ items: back });
  return prior.length;
}

function useRefreshDrift() {
  const qc = useQueryClient();
  return () =>
    Promise.all(
      [...DRIFT_VIEWS, 'feedback-status', 'overview', 'feedback-deliveries'].map((k) =>
        qc.invalidateQueries({ queryKey: [k] }),
      ),
    );
}

/** Validates or relabels samples. */
export function useDecision() {
  const refresh = useRefreshDrift();
  return useMutation({
    mutationFn: (v: { targets: DriftSampleSummary[]; validation: ValidationRequest }) =>
      decide(v.targets, v.validation),
    onSettled: refresh,
  });
}

/** Undoes the last decision on the server. */
export function useUndoDecision() {
  const refresh = useRefreshDrift();
  return useMutation({ mutationFn: undo, onSettled: refresh });
}

/** The classes people label with: every model's labels and every class given before. */
export function useReviewClasses() {
  return useQuery({
    queryKey: ['review-classes'],
    queryFn: () => apiGet('/api/v1/drift/classes', ReviewClassList),
    refetchInterval: 60_000,
  });
}
