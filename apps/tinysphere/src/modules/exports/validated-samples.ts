import { TinyMLOpsError, type FieldExportFilter, type FieldExportQuery } from '@tinymlops/contracts';
import type { Selectable } from 'kysely';
import type { Db, DriftSamplesTable } from '../../storage/database.js';

/** One labelled drift sample with where its bytes live, as an export reads it. */
export type ValidatedSampleRow = Omit<
  Selectable<DriftSamplesTable>,
  'package_id' | 'frame_index' | 'neighbours' | 'status' | 'label' | 'validated_at'
> & {
  /** The version the sample's episode recorded. */
  model_version: string | null;
  /** Never null for a labelled sample. */
  label: string;
  validated_at: Date;
};

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The filter as an export records it: the query's optional parts made explicit.
 * @example
 * exportFilter({ modelId: 'fashion-mnv2', class: 'bag', limit: 100 }).classes; // ['bag']
 */
export function exportFilter(q: FieldExportQuery): FieldExportFilter {
  return {
    modelId: q.modelId,
    version: q.version ?? null,
    since: q.since ?? null,
    until: q.until ?? null,
    classes: list(q.class),
    deviceIds: list(q.deviceId),
    limit: q.limit,
  };
}

/**
 * The samples people labelled (status `labelled`) from episodes of `filter.modelId`, oldest
 * capture first, at most `filter.limit`. The model version is the one the episode recorded. Throws
 * NOT_FOUND when nothing matches, naming the filter, so an empty dataset is never written.
 * @example
 * const rows = await validatedSamples(db, exportFilter({ modelId: 'fashion-mnv2', limit: 10_000 }));
 */
export async function validatedSamples(db: Db, filter: FieldExportFilter): Promise<ValidatedSampleRow[]> {
  let q = db
    .selectFrom('drift_samples as s')
    .innerJoin('drift_episodes as e', (j) =>
      j.onRef('e.device_id', '=', 's.device_id').onRef('e.episode_id', '=', 's.episode_id'),
    )
    .select([
      's.device_id',
      's.sample_id',
      's.episode_id',
      'e.model_version',
      's.captured_at',
      's.validated_at',
      's.validated_by',
      's.label',
      's.predicted_label',
      's.confidence',
      's.feature_dim',
      's.features_key',
      's.features_offset',
      's.image_key',
      's.image_offset',
      's.image_length',
      's.image_media_type',
    ])
    .where('s.status', '=', 'labelled')
    .where('e.model_id', '=', filter.modelId);
  if (filter.version) q = q.where('e.model_version', '=', filter.version);
  if (filter.since) q = q.where('s.captured_at', '>=', new Date(filter.since));
  if (filter.until) q = q.where('s.captured_at', '<', new Date(filter.until));
  if (filter.classes.length) q = q.where('s.label', 'in', filter.classes);
  if (filter.deviceIds.length) q = q.where('s.device_id', 'in', filter.deviceIds);
  const rows = await q.orderBy('s.captured_at').orderBy('s.sample_id').limit(filter.limit).execute();
  if (rows.length === 0) {
    throw new TinyMLOpsError(
      'NOT_FOUND',
      `no validated samples of model ${filter.modelId} match the filter ${describe(filter)}`,
    );
  }
  const dims = [...new Set(rows.map((r) => r.feature_dim))];
  if (dims.length > 1) {
    throw new TinyMLOpsError(
      'CONFLICT',
      `the samples of ${filter.modelId} have feature dimensions ${dims.join(' and ')} (different versions): export one version at a time with version=…`,
    );
  }
  return rows as ValidatedSampleRow[];
}

function describe(f: FieldExportFilter): string {
  const parts = [
    f.version ? `version ${f.version}` : '',
    f.since ? `since ${f.since}` : '',
    f.until ? `until ${f.until}` : '',
    f.classes.length ? `classes ${f.classes.join(', ')}` : '',
    f.deviceIds.length ? `devices ${f.deviceIds.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? `(${parts.join('; ')})` : '(any time, class and device)';
}
