import { TinyMLOpsError } from '@tinymlops/contracts';
import type { Kysely } from 'kysely';
import type { Database, FeedbackTable } from '../../storage/database.js';
import { newId } from '../devices/credentials.js';

/** What goes into a device's inbox; the cursor and id are assigned by {@link issueFeedback}. */
export interface InboxItem {
  decision: FeedbackTable['decision'];
  at: Date;
  sampleId?: string;
  episodeId?: string | null;
  label?: string | null;
  /** For a label shared from another device: that device. */
  sourceDeviceId?: string;
  /** The adaptation of a revert or relabel, or the settings document. */
  payload?: unknown;
}

/**
 * Appends one item to a device's inbox under the device's next cursor. The cursor increment locks
 * the device row until the caller's transaction ends, so cursors never repeat or skip; call it
 * inside the transaction that decided the item.
 * @example
 * const { cursor } = await issueFeedback(tx, 'dev_abc12345', { decision: 'revert', at: ctx.now(), payload: { adaptation } });
 */
export async function issueFeedback(
  tx: Kysely<Database>,
  deviceId: string,
  item: InboxItem,
): Promise<{ cursor: number; feedbackId: string }> {
  const [issued] = await issueMany(tx, deviceId, [item]);
  if (!issued) throw new TinyMLOpsError('NOT_FOUND', `device ${deviceId} not found`);
  return issued;
}

/**
 * Appends several items to one device's inbox under consecutive cursors, in order (one cursor
 * increment, one insert). Returns nothing when the device does not exist.
 * @example
 * await issueMany(tx, deviceId, shares.map((s) => ({ decision: 'label', at, sampleId: s.id, label: s.label, sourceDeviceId: s.from })));
 */
export async function issueMany(
  tx: Kysely<Database>,
  deviceId: string,
  items: readonly InboxItem[],
): Promise<{ cursor: number; feedbackId: string }[]> {
  if (items.length === 0) return [];
  const bumped = await tx
    .updateTable('devices')
    .set((eb) => ({ feedback_cursor: eb('feedback_cursor', '+', items.length) }))
    .where('id', '=', deviceId)
    .returning('feedback_cursor')
    .executeTakeFirst();
  if (!bumped) return [];
  const first = bumped.feedback_cursor - items.length + 1;
  const rows = items.map((item, i) => ({
    device_id: deviceId,
    cursor: first + i,
    feedback_id: newId('fb'),
    sample_id: item.sampleId ?? null,
    episode_id: item.episodeId ?? null,
    decision: item.decision,
    label: item.label ?? null,
    validated_at: item.at,
    source_device_id: item.sourceDeviceId ?? null,
    payload: item.payload === undefined ? null : JSON.stringify(item.payload),
  }));
  await tx.insertInto('feedback').values(rows).execute();
  return rows.map((r) => ({ cursor: r.cursor, feedbackId: r.feedback_id }));
}
