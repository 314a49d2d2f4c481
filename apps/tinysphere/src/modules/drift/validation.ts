import { TinyMLOpsError, type ValidationRequest, type ValidationResult } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { newId } from '../devices/credentials.js';

/**
 * Applies a person's decision to a pending drift sample and turns it into feedback for the
 * device, under the device's next cursor (the device row is locked, so cursors never repeat or
 * skip). A sample is validated once; a second validation is a 409.
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
  return ctx.db.transaction().execute(async (tx) => {
    const sample = await tx
      .selectFrom('drift_samples')
      .select(['status', 'episode_id'])
      .where('device_id', '=', deviceId)
      .where('sample_id', '=', sampleId)
      .forUpdate()
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
    const { feedback_cursor: cursor } = await tx
      .updateTable('devices')
      .set((eb) => ({ feedback_cursor: eb('feedback_cursor', '+', 1) }))
      .where('id', '=', deviceId)
      .returning('feedback_cursor')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('feedback')
      .values({
        device_id: deviceId,
        cursor,
        feedback_id: newId('fb'),
        sample_id: sampleId,
        episode_id: sample.episode_id,
        decision: v.decision,
        label,
        validated_at: now,
      })
      .execute();
    return { deviceId, sampleId, ok: true, feedbackCursor: cursor };
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
