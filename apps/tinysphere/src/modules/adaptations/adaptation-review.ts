import {
  TinyMLOpsError,
  type AdaptationRef,
  type AdaptationReviewRequest,
  type AdaptationReviewResult,
  type AdaptationSummary,
  type ShareResult,
  type ShareScope,
} from '@tinymlops/contracts';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../app-context.js';
import type { Database } from '../../storage/database.js';
import { issueFeedback } from '../feedback/inbox.js';
import { fleetPolicy } from '../fleet-learning/fleet-policy.js';
import { addShares, shareSample } from '../fleet-learning/share-sample.js';
import { listAdaptations } from './adaptation-view.js';

const PSEUDO = /^pseudo-\d+$/;
const DECISIONS = { accept: 'accepted', relabel: 'relabelled', revert: 'reverted' } as const;

/**
 * A person's verdict on one adaptation of a device. `accept` records it (its samples become
 * validated labels, shared with `share` or the fleet-learning policy's scope); `relabel` also
 * queues a relabel for the device and shares under the new label; `revert` queues a revert, and
 * the device reports back how it went. A reverted adaptation cannot be reviewed again.
 * @example
 * await reviewAdaptation(ctx, 'dev_abc12345', 4, { decision: 'revert' }, 'alice');
 */
export async function reviewAdaptation(
  ctx: AppContext,
  deviceId: string,
  seq: number,
  req: AdaptationReviewRequest,
  by: string,
): Promise<AdaptationReviewResult> {
  const now = ctx.now();
  const policy = await fleetPolicy(ctx.db);
  const result = await ctx.db.transaction().execute(async (tx) => {
    const a = await reviewable(tx, deviceId, seq);
    const label = req.decision === 'relabel' ? req.label : a.label;
    const scope = req.decision === 'revert' ? null : (req.share ?? policy.defaultScope);
    if (scope && scope.scope !== 'device' && (!label || PSEUDO.test(label)))
      throw new TinyMLOpsError('VALIDATION_FAILED', `relabel ${label ?? 'it'} with a class name before sharing it`);
    const issued = req.decision === 'accept' ? null : await issueFeedback(tx, deviceId, inboxItem(a, req, now));
    await recordReview(tx, a, req, by, now, issued?.feedbackId ?? null);
    const shared = scope ? await shareAdaptation(tx, a, label ?? '', scope, policy.budgetPerDevice, by, now) : null;
    return { cursor: issued?.cursor ?? null, shared };
  });
  const [adaptation] = await listAdaptations(ctx.db, { deviceId, seq, limit: 1 });
  if (!adaptation) throw new TinyMLOpsError('NOT_FOUND', `adaptation ${deviceId}/${seq} not found`);
  return { schemaVersion: 1, adaptation, feedbackCursor: result.cursor, shared: result.shared };
}

/** The latest verdict replaces an earlier one (an accepted adaptation may still be reverted). */
async function recordReview(
  tx: Kysely<Database>,
  a: AdaptationSummary,
  req: AdaptationReviewRequest,
  by: string,
  at: Date,
  feedbackId: string | null,
): Promise<void> {
  const row = {
    device_id: a.deviceId,
    seq: a.seq,
    decision: DECISIONS[req.decision],
    label: req.decision === 'relabel' ? req.label : null,
    reviewed_by: by,
    reviewed_at: at,
    feedback_id: feedbackId,
  };
  const { device_id: _d, seq: _s, ...update } = row;
  await tx
    .insertInto('adaptation_reviews')
    .values(row)
    .onConflict((oc) => oc.columns(['device_id', 'seq']).doUpdateSet(update))
    .execute();
}

async function reviewable(tx: Kysely<Database>, deviceId: string, seq: number): Promise<AdaptationSummary> {
  const [a] = await listAdaptations(tx, { deviceId, seq, limit: 1 });
  if (!a) throw new TinyMLOpsError('NOT_FOUND', `adaptation ${deviceId}/${seq} not found`);
  if (!a.reviewable)
    throw new TinyMLOpsError('CONFLICT', `adaptation ${seq} (${a.action}) changed nothing that could be reviewed`);
  if (a.review?.decision === 'reverted') throw new TinyMLOpsError('CONFLICT', `adaptation ${seq} was already reverted`);
  return a;
}

function inboxItem(a: AdaptationSummary, req: AdaptationReviewRequest, at: Date) {
  const adaptation: AdaptationRef = {
    seq: a.seq,
    action: a.action,
    ...(a.label === null ? {} : { label: a.label }),
    stateVersionBefore: a.stateVersionBefore,
    stateVersionAfter: a.stateVersionAfter,
  };
  if (req.decision === 'relabel')
    return { decision: 'relabel' as const, at, label: req.label, payload: { adaptation } };
  return { decision: 'revert' as const, at, payload: { adaptation } };
}

/** Shares every sample the adaptation put into the KNN, under `label`. */
async function shareAdaptation(
  tx: Kysely<Database>,
  a: AdaptationSummary,
  label: string,
  scope: ShareScope,
  budget: number,
  by: string,
  at: Date,
): Promise<ShareResult | null> {
  if (scope.scope === 'device') return null;
  const rows = await tx
    .selectFrom('adaptation_samples')
    .selectAll()
    .where('device_id', '=', a.deviceId)
    .where('seq', '=', a.seq)
    .orderBy('sample_id')
    .execute();
  const results: ShareResult[] = [];
  for (const r of rows) {
    const features = { dim: r.feature_dim, key: r.features_key, offset: r.features_offset };
    const model = { id: r.model_id, version: r.model_version };
    const sample = { sourceDeviceId: a.deviceId, sampleId: r.sample_id, label, decision: 'label' as const };
    results.push(await shareSample(tx, { ...sample, model, features, validatedAt: at, by }, scope, budget));
  }
  return addShares(scope, results);
}
