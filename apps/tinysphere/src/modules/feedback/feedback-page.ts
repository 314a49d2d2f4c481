import {
  AdaptationRef,
  DeviceSettings,
  type FeedbackItem,
  type FeedbackPage,
  type FeedbackPageV2,
  type Float32Vector,
  type ValidationFeedback,
} from '@tinymlops/contracts';
import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { ackFeedback } from './feedback-ack.js';

/** Decisions an old (v1) device understands; everything else is v2 only. */
const V1_DECISIONS = new Set(['label', 'new-class', 'false-alarm']);

interface InboxRow {
  cursor: number;
  feedback_id: string;
  sample_id: string | null;
  episode_id: string | null;
  decision: string;
  label: string | null;
  validated_at: Date | string;
  source_device_id: string | null;
  payload: unknown;
  feature_dim: number | null;
  features_key: string | null;
  features_offset: number | null;
  model_id: string | null;
  model_version: string | null;
}

/** Rows after `after`, with where each label's features are: the device's own drift sample or the shared sample. */
async function inboxRows(ctx: AppContext, deviceId: string, after: number, limit: number): Promise<InboxRow[]> {
  const r = await sql<InboxRow>`
    SELECT f.cursor, f.feedback_id, f.sample_id, f.episode_id, f.decision, f.label, f.validated_at,
      f.source_device_id, f.payload,
      COALESCE(s.feature_dim, ds.feature_dim) AS feature_dim,
      COALESCE(s.features_key, ds.features_key) AS features_key,
      COALESCE(s.features_offset, ds.features_offset) AS features_offset,
      COALESCE(s.model_id, e.model_id) AS model_id,
      COALESCE(s.model_version, e.model_version) AS model_version
    FROM feedback f
    LEFT JOIN drift_samples ds ON f.source_device_id IS NULL AND ds.device_id = f.device_id
      AND ds.sample_id = f.sample_id
    LEFT JOIN drift_episodes e ON e.device_id = ds.device_id AND e.episode_id = ds.episode_id
    LEFT JOIN shared_samples s ON s.source_device_id = f.source_device_id AND s.sample_id = f.sample_id
    WHERE f.device_id = ${deviceId} AND f.cursor > ${after}
    ORDER BY f.cursor LIMIT ${limit}`.execute(ctx.db);
  return r.rows;
}

/**
 * One page of a device's inbox in the v2 shape: every kind of item, labels with their feature
 * vectors. Ascending by cursor.
 * @example
 * const page = await feedbackPageV2(ctx, 'dev_abc12345', 0, 100); // page.items[0].features
 */
export async function feedbackPageV2(
  ctx: AppContext,
  deviceId: string,
  after: number,
  limit: number,
): Promise<FeedbackPageV2> {
  const rows = await inboxRows(ctx, deviceId, after, limit + 1);
  const items: FeedbackItem[] = [];
  for (const r of rows.slice(0, limit)) items.push(await toItem(ctx.blobs, deviceId, r));
  return { schemaVersion: 2, items, nextCursor: items.at(-1)?.cursor ?? after, hasMore: rows.length > limit };
}

/**
 * One page in the v1 shape an old device parses: validations of its own samples only. Items it
 * cannot understand (shared labels, reverts, settings) are skipped; `nextCursor` still moves past
 * them, so its acknowledgement covers them (they are then marked rejected, see `ackFeedback`).
 * When a page holds nothing but such items the device would never acknowledge, so the server
 * does it for the device here.
 */
export async function feedbackPageV1(
  ctx: AppContext,
  deviceId: string,
  after: number,
  limit: number,
): Promise<FeedbackPage> {
  const rows = await inboxRows(ctx, deviceId, after, limit + 1);
  const scanned = rows.slice(0, limit);
  const items = scanned.filter(isV1).map(toV1Item);
  const last = scanned.at(-1)?.cursor ?? after;
  if (items.length === 0 && scanned.length > 0) await ackFeedback(ctx, deviceId, { schemaVersion: 1, cursor: last });
  return { schemaVersion: 1, items, nextCursor: last, hasMore: rows.length > limit };
}

function isV1(r: InboxRow): boolean {
  return r.source_device_id === null && V1_DECISIONS.has(r.decision);
}

function toV1Item(r: InboxRow): ValidationFeedback {
  const base = {
    feedbackId: r.feedback_id,
    cursor: r.cursor,
    sampleId: r.sample_id ?? '',
    episodeId: r.episode_id ?? '',
    validatedAt: new Date(r.validated_at).toISOString(),
  };
  if (r.decision === 'false-alarm') return { ...base, decision: 'false-alarm' };
  return { ...base, decision: r.decision === 'new-class' ? 'new-class' : 'label', label: r.label ?? '' };
}

async function toItem(blobs: BlobStore, deviceId: string, r: InboxRow): Promise<FeedbackItem> {
  const base = { feedbackId: r.feedback_id, cursor: r.cursor, issuedAt: new Date(r.validated_at).toISOString() };
  const payload = (r.payload ?? {}) as { adaptation?: unknown; settings?: unknown; label?: string };
  switch (r.decision) {
    case 'false-alarm': {
      const sample = { sampleId: r.sample_id ?? '', episodeId: r.episode_id ?? '' };
      return { ...base, kind: 'false-alarm', ...sample, validatedAt: base.issuedAt };
    }
    case 'revert':
      return { ...base, kind: 'revert', adaptation: AdaptationRef.parse(payload.adaptation) };
    case 'relabel':
      return { ...base, kind: 'relabel', adaptation: AdaptationRef.parse(payload.adaptation), label: r.label ?? '' };
    case 'settings':
      return { ...base, kind: 'settings', settings: DeviceSettings.parse(payload.settings) };
    default:
      return {
        ...base,
        kind: 'label',
        decision: r.decision === 'new-class' ? 'new-class' : 'label',
        label: r.label ?? '',
        sampleId: r.sample_id ?? '',
        episodeId: r.episode_id,
        source: r.source_device_id === null ? 'own' : 'fleet',
        sourceDeviceId: r.source_device_id ?? deviceId,
        model: r.model_id && r.model_version ? { modelId: r.model_id, version: r.model_version } : null,
        features: await readFeatures(blobs, r),
        validatedAt: base.issuedAt,
      };
  }
}

async function readFeatures(blobs: BlobStore, r: InboxRow): Promise<Float32Vector | null> {
  if (r.features_key === null || r.feature_dim === null || r.features_offset === null) return null;
  const bytes = await blobs.getRange(r.features_key, r.features_offset, r.feature_dim * 4);
  if (!bytes || bytes.length !== r.feature_dim * 4) return null;
  return { encoding: 'f32le-base64', dim: r.feature_dim, data: Buffer.from(bytes).toString('base64') };
}
