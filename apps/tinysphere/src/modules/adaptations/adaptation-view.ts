import type { AdaptationEvent, AdaptationSummary, DeliveryStatus } from '@tinymlops/contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database.js';

/** Actions that changed the KNN and may therefore be accepted, relabelled or reverted. */
export const REVIEWABLE_ACTIONS: ReadonlySet<string> = new Set([
  'pseudo-class-created',
  'class-reinforced',
  'feedback-applied',
]);

/** Filters of {@link listAdaptations}. */
export interface AdaptationFilter {
  deviceId?: string;
  seq?: number;
  limit: number;
}

/**
 * Adaptations as people see them, newest first, each with the latest review and how its revert or
 * relabel was delivered.
 * @example
 * const [newest] = await listAdaptations(ctx.db, { deviceId: 'dev_abc12345', limit: 1 });
 */
export async function listAdaptations(db: Kysely<Database>, f: AdaptationFilter): Promise<AdaptationSummary[]> {
  let q = db
    .selectFrom('adaptation_events as a')
    .innerJoin('devices as d', 'd.id', 'a.device_id')
    .leftJoin('adaptation_reviews as r', (j) => j.onRef('r.device_id', '=', 'a.device_id').onRef('r.seq', '=', 'a.seq'))
    .leftJoin('feedback as f', (j) =>
      j.onRef('f.device_id', '=', 'r.device_id').onRef('f.feedback_id', '=', 'r.feedback_id'),
    )
    .selectAll('a')
    .select(['d.name', 'r.decision', 'r.label as review_label', 'r.reviewed_by', 'r.reviewed_at'])
    .select(['r.feedback_id', 'f.outcome', 'f.outcome_reason', 'f.outcome_at']);
  if (f.deviceId) q = q.where('a.device_id', '=', f.deviceId);
  if (f.seq !== undefined) q = q.where('a.seq', '=', f.seq);
  const rows = await q.orderBy('a.at', 'desc').orderBy('a.seq', 'desc').limit(f.limit).execute();
  return rows.map((r) => {
    const reviewable = REVIEWABLE_ACTIONS.has(r.action) && r.state_version_after !== r.state_version_before;
    const delivery = r.feedback_id
      ? {
          status: (r.outcome ?? 'queued') as DeliveryStatus,
          reason: r.outcome_reason,
          at: r.outcome_at ? iso(r.outcome_at) : null,
        }
      : null;
    return {
      deviceId: r.device_id,
      deviceName: r.name,
      seq: r.seq,
      at: iso(r.at),
      action: r.action as AdaptationEvent['action'],
      label: r.label,
      samples: r.samples,
      stateVersionBefore: r.state_version_before,
      stateVersionAfter: r.state_version_after,
      reason: r.reason,
      metrics: (r.metrics as Record<string, number> | null) ?? null,
      sampleIds: r.sample_ids ?? [],
      reviewable,
      review:
        r.decision && r.reviewed_by && r.reviewed_at
          ? { decision: r.decision, label: r.review_label, by: r.reviewed_by, at: iso(r.reviewed_at), delivery }
          : null,
    };
  });
}

function iso(t: Date | string): string {
  return new Date(t).toISOString();
}
