import type { FeedbackPage, ValidationFeedback } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';

/**
 * One page of a device's feedback after `after`, ascending by cursor.
 * @example
 * const page = await feedbackPage(ctx, 'dev_abc12345', 0, 100); // page.nextCursor → next ?after=
 */
export async function feedbackPage(
  ctx: AppContext,
  deviceId: string,
  after: number,
  limit: number,
): Promise<FeedbackPage> {
  const rows = await ctx.db
    .selectFrom('feedback')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('cursor', '>', after)
    .orderBy('cursor')
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map((r): ValidationFeedback =>
    r.decision === 'false-alarm'
      ? {
          feedbackId: r.feedback_id,
          cursor: r.cursor,
          sampleId: r.sample_id,
          episodeId: r.episode_id,
          decision: 'false-alarm',
          validatedAt: new Date(r.validated_at).toISOString(),
        }
      : {
          feedbackId: r.feedback_id,
          cursor: r.cursor,
          sampleId: r.sample_id,
          episodeId: r.episode_id,
          decision: r.decision,
          label: r.label ?? '',
          validatedAt: new Date(r.validated_at).toISOString(),
        },
  );
  return { schemaVersion: 1, items, nextCursor: items.at(-1)?.cursor ?? after, hasMore: rows.length > limit };
}

/** Moves the device's acknowledged cursor forward (never back, never past what was issued). */
export async function ackFeedback(ctx: AppContext, deviceId: string, cursor: number): Promise<void> {
  await ctx.db
    .updateTable('devices')
    .set((eb) => ({
      feedback_acked: eb.fn('GREATEST', [
        eb.ref('feedback_acked'),
        eb.fn('LEAST', [eb.val(cursor), eb.ref('feedback_cursor')]),
      ]),
    }))
    .where('id', '=', deviceId)
    .execute();
}
