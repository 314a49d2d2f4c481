import { TinyMLOpsError, type ValidationUndoResult } from '@tinymlops/contracts';
import type { ExpressionBuilder } from 'kysely';
import type { AppContext } from '../../app-context.js';
import type { Database } from '../../storage/database.js';

/** The sample's own feedback item, and the copies shared from it with other devices. */
const ownOrShared = (deviceId: string) => (eb: ExpressionBuilder<Database, 'feedback'>) =>
  eb.or([
    eb.and([eb('device_id', '=', deviceId), eb('source_device_id', 'is', null)]),
    eb('source_device_id', '=', deviceId),
  ]);

/**
 * Undoes a person's decision on a drift sample: the sample is pending again with no label, and
 * the feedback that decision queued for its device is withdrawn. Once the device acknowledged
 * that feedback it has acted on it, so undo is refused (409) and the sample is relabelled instead
 * (validated anew, which sends the device the corrected label). Labels shared with other devices
 * are withdrawn the same way while unacknowledged.
 * @example
 * const r = await undoValidation(ctx, 'dev_abc12345', 'smp_0001aaaa'); // r.previous.label === 'bag'
 */
export async function undoValidation(
  ctx: AppContext,
  deviceId: string,
  sampleId: string,
): Promise<ValidationUndoResult> {
  return ctx.db.transaction().execute(async (tx) => {
    const sample = await tx
      .selectFrom('drift_samples')
      .select(['status', 'label'])
      .where('device_id', '=', deviceId)
      .where('sample_id', '=', sampleId)
      .forUpdate()
      .executeTakeFirst();
    if (!sample) throw new TinyMLOpsError('NOT_FOUND', `drift sample ${deviceId}/${sampleId} not found`);
    if (sample.status === 'pending')
      throw new TinyMLOpsError('CONFLICT', `drift sample ${sampleId} is pending; there is no validation to undo`);
    const mine = tx.selectFrom('feedback').where('sample_id', '=', sampleId).where(ownOrShared(deviceId));
    const acted = await mine.select('cursor').where('outcome', 'is not', null).executeTakeFirst();
    if (acted)
      throw new TinyMLOpsError(
        'CONFLICT',
        `a device already acknowledged the validation of ${sampleId}; relabel it instead of undoing`,
      );
    const withdrawn = await tx
      .deleteFrom('feedback')
      .where('sample_id', '=', sampleId)
      .where(ownOrShared(deviceId))
      .executeTakeFirst();
    // Devices that join the model's fleet later must not be sent the undone label either.
    await tx
      .deleteFrom('shared_samples')
      .where('source_device_id', '=', deviceId)
      .where('sample_id', '=', sampleId)
      .execute();
    await tx
      .updateTable('drift_samples')
      .set({ status: 'pending', label: null, validated_at: null, validated_by: null })
      .where('device_id', '=', deviceId)
      .where('sample_id', '=', sampleId)
      .execute();
    return {
      schemaVersion: 1,
      deviceId,
      sampleId,
      status: 'pending',
      previous: { status: sample.status as ValidationUndoResult['previous']['status'], label: sample.label },
      withdrawnFeedback: Number(withdrawn.numDeletedRows),
    };
  });
}
