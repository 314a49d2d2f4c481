import type { DeliveryStatus, FeedbackDelivery, FeedbackDeliveryList } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';

const KINDS: Record<string, FeedbackDelivery['kind']> = {
  label: 'label',
  'new-class': 'label',
  'false-alarm': 'false-alarm',
  revert: 'revert',
  relabel: 'relabel',
  settings: 'settings',
};

/** Filters of {@link feedbackDeliveries}. */
export interface DeliveryFilter {
  deviceId?: string;
  sampleId?: string;
  sourceDeviceId?: string;
  status?: DeliveryStatus;
  limit: number;
}

/**
 * Inbox items as people see them, newest first: what was sent to which device and what the
 * device did with it. A label validated for one device and shared with others appears once per
 * device (filter by `sampleId`).
 * @example
 * const { items } = await feedbackDeliveries(ctx, { sampleId: 'smp_0001aaaa', limit: 50 });
 */
export async function feedbackDeliveries(ctx: AppContext, f: DeliveryFilter): Promise<FeedbackDeliveryList> {
  let q = ctx.db
    .selectFrom('feedback as f')
    .innerJoin('devices as d', 'd.id', 'f.device_id')
    .select([
      'f.feedback_id',
      'f.cursor',
      'f.device_id',
      'd.name',
      'f.decision',
      'f.label',
      'f.sample_id',
      'f.source_device_id',
      'f.validated_at',
      'f.outcome',
      'f.outcome_reason',
      'f.outcome_at',
    ]);
  if (f.deviceId) q = q.where('f.device_id', '=', f.deviceId);
  if (f.sampleId) q = q.where('f.sample_id', '=', f.sampleId);
  if (f.sourceDeviceId) q = q.where('f.source_device_id', '=', f.sourceDeviceId);
  if (f.status === 'queued') q = q.where('f.outcome', 'is', null);
  else if (f.status) q = q.where('f.outcome', '=', f.status);
  const rows = await q.orderBy('f.validated_at', 'desc').orderBy('f.cursor', 'desc').limit(f.limit).execute();
  return {
    schemaVersion: 1,
    items: rows.map((r) => ({
      feedbackId: r.feedback_id,
      cursor: r.cursor,
      deviceId: r.device_id,
      deviceName: r.name,
      kind: KINDS[r.decision] ?? 'label',
      label: r.label,
      sampleId: r.sample_id,
      sourceDeviceId: r.source_device_id,
      issuedAt: new Date(r.validated_at).toISOString(),
      status: (r.outcome ?? 'queued') as DeliveryStatus,
      reason: r.outcome_reason,
      statusAt: r.outcome_at ? new Date(r.outcome_at).toISOString() : null,
    })),
  };
}
