import type { FeedbackAck, FeedbackAckV2 } from '@tinymlops/contracts';
import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';

/** Why an old device's acknowledgement does not count as applying a v2-only item. */
export const V1_DEVICE_REASON =
  'this device speaks feedback v1 (an older TinyLCM): it cannot apply shared labels, reverts or settings';

/**
 * Records a device's acknowledgement: the acknowledged cursor moves forward (never back, never
 * past what was issued), each reported outcome is stored on its item, and items the ack covers
 * without an outcome become `acknowledged` (an old device: it applied them but cannot say how) or,
 * for items an old device never received (v2 only), `rejected` with the reason. Repeating an ack
 * changes nothing: outcomes already stored are kept.
 * @example
 * await ackFeedback(ctx, 'dev_abc12345', { schemaVersion: 2, cursor: 4, outcomes: [{ feedbackId, cursor: 4, status: 'applied', at }] });
 */
export async function ackFeedback(ctx: AppContext, deviceId: string, ack: FeedbackAck | FeedbackAckV2): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.db.transaction().execute(async (tx) => {
    const device = await tx
      .updateTable('devices')
      .set((eb) => ({
        feedback_acked: eb.fn('GREATEST', [
          eb.ref('feedback_acked'),
          eb.fn('LEAST', [eb.val(ack.cursor), eb.ref('feedback_cursor')]),
        ]),
      }))
      .where('id', '=', deviceId)
      .returning('feedback_acked')
      .executeTakeFirst();
    if (!device) return;
    const upTo = Math.min(ack.cursor, device.feedback_acked);
    if (ack.schemaVersion === 2 && ack.outcomes.length > 0) {
      const outcomes = ack.outcomes
        .filter((o) => o.cursor <= upTo)
        .map((o) => ({
          feedback_id: o.feedbackId,
          cursor: o.cursor,
          status: o.status,
          reason: o.reason ?? null,
          state_version: o.stateVersion ?? null,
        }));
      await sql`
        UPDATE feedback f SET outcome = o.status, outcome_reason = o.reason, outcome_at = ${now},
          outcome_state_version = o.state_version
        FROM json_to_recordset(${JSON.stringify(outcomes)}::json)
          AS o(feedback_id text, cursor integer, status text, reason text, state_version integer)
        WHERE f.device_id = ${deviceId} AND f.cursor = o.cursor AND f.feedback_id = o.feedback_id
          AND f.outcome IS NULL`.execute(tx);
    }
    const v1 = ack.schemaVersion === 1;
    await sql`
      UPDATE feedback SET outcome_at = ${now},
        outcome = CASE WHEN ${v1} AND (source_device_id IS NOT NULL
          OR decision NOT IN ('label', 'new-class', 'false-alarm')) THEN 'rejected' ELSE 'acknowledged' END,
        outcome_reason = CASE WHEN ${v1} AND (source_device_id IS NOT NULL
          OR decision NOT IN ('label', 'new-class', 'false-alarm')) THEN ${V1_DEVICE_REASON} END
      WHERE device_id = ${deviceId} AND cursor <= ${upTo} AND outcome IS NULL`.execute(tx);
  });
}
