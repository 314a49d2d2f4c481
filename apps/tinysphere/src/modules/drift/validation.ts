import { TinyMLOpsError, type ValidationRequest, type ValidationResult } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { issueFeedback } from '../feedback/inbox.js';
import { fleetPolicy } from '../fleet-learning/fleet-policy.js';
import { shareSample } from '../fleet-learning/share-sample.js';

/**
 * Applies a person's decision to a pending drift sample and turns it into feedback for the
 * device, under the device's next cursor (the device row is locked, so cursors never repeat or
 * skip). A label is also shared with other devices running the same model when the request (or
 * else the fleet-learning policy) names a wider scope. A sample is validated once; a second
 * validation is a 409.
 * @example
 * await validateSample(ctx, 'dev_abc12345', 'smp_0001aaaa', { decision: 'new-class', label: 'bag' }, 'alice');
 */
export async function validateSample(
  ctx: AppContext,
  deviceId: string,
  sampleId: string,
  v: ValidationRequest,
  by: string,
): Promise<ValidationResult> {
  const now = ctx.now();
  const policy = await fleetPolicy(ctx.db);
  return ctx.db.transaction().execute(async (tx) => {
    const sample = await tx
      .selectFrom('drift_samples as s')
      .leftJoin('drift_episodes as e', (j) =>
        j.onRef('e.device_id', '=', 's.device_id').onRef('e.episode_id', '=', 's.episode_id'),
      )
      .select(['s.status', 's.episode_id', 's.feature_dim', 's.features_key', 's.features_offset'])
      .select(['e.model_id', 'e.model_version'])
      .where('s.device_id', '=', deviceId)
      .where('s.sample_id', '=', sampleId)
      .forUpdate('s')
      .executeTakeFirst();
    if (!sample) throw new TinyMLOpsError('NOT_FOUND', `drift sample ${deviceId}/${sampleId} not found`);
    if (sample.status !== 'pending')
      throw new TinyMLOpsError('CONFLICT', `drift sample ${sampleId} is already ${sample.status}`);
    const label = v.decision === 'false-alarm' ? null : v.label;
    await tx
      .updateTable('drift_samples')
      .set({
        status: v.decision === 'false-alarm' ? 'false-alarm' : 'labelled',
        label,
        validated_at: now,
        validated_by: by,
      })
      .where('device_id', '=', deviceId)
      .where('sample_id', '=', sampleId)
      .execute();
    const { cursor } = await issueFeedback(tx, deviceId, {
      decision: v.decision,
      at: now,
      sampleId,
      episodeId: sample.episode_id,
      label,
    });
    if (v.decision === 'false-alarm') return { deviceId, sampleId, ok: true, feedbackCursor: cursor };
    const shared = await shareSample(
      tx,
      {
        sourceDeviceId: deviceId,
        sampleId,
        label: v.label,
        decision: v.decision,
        model: { id: sample.model_id, version: sample.model_version },
        features: { dim: sample.feature_dim, key: sample.features_key, offset: sample.features_offset },
        validatedAt: now,
        by,
      },
      v.share ?? policy.defaultScope,
      policy.budgetPerDevice,
    );
    return { deviceId, sampleId, ok: true, feedbackCursor: cursor, shared };
  });
}

/** Marks a pending sample as rejected (unusable); no feedback goes to the device. */
export async function rejectSample(ctx: AppContext, deviceId: string, sampleId: string, by: string): Promise<void> {
  const r = await ctx.db
    .updateTable('drift_samples')
    .set({ status: 'rejected', validated_at: ctx.now(), validated_by: by })
    .where('device_id', '=', deviceId)
    .where('sample_id', '=', sampleId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (r.numUpdatedRows === 0n) throw new TinyMLOpsError('NOT_FOUND', `no pending drift sample ${deviceId}/${sampleId}`);
}
