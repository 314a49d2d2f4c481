import type { ShareResult, ShareScope } from '@tinymlops/contracts';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/database.js';
import { issueMany } from '../feedback/inbox.js';

/** A validated sample to share: whose it is, its label, and where its features are. */
export interface SharedSample {
  sourceDeviceId: string;
  sampleId: string;
  label: string;
  decision: 'label' | 'new-class';
  model: { id: string | null; version: string | null };
  features: { dim: number; key: string; offset: number };
  validatedAt: Date;
  by: string;
}

/**
 * Which devices a shared sample `s` reaches: a device `d` running the same model version, other
 * than the source, inside the scope (the whole fleet, the source's group, a tag), not yet given it.
 */
export const SCOPE_MATCH = sql`
  d.id <> s.source_device_id AND d.model_id = s.model_id AND d.model_version = s.model_version
  AND (s.scope->>'scope' = 'fleet'
    OR (s.scope->>'scope' = 'group' AND d.group_name = s.source_group)
    OR (s.scope->>'scope' = 'tag' AND d.tags ? (s.scope->>'tag')))
  AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.device_id = d.id
    AND f.source_device_id = s.source_device_id AND f.sample_id = s.sample_id)`;

/**
 * Records a validated sample as shared with `scope` and queues it, features and label, for every
 * device it reaches now (devices that reach it later get it when they next pull, see
 * `catchUpShares`). A device whose budget of shared samples is used up is skipped and counted in
 * `overBudget`. Sharing the same sample again widens its scope; no device gets it twice. Call it
 * inside a transaction.
 * @example
 * const r = await shareSample(tx, sample, { scope: 'fleet' }, 200); // r.devices, r.overBudget
 */
export async function shareSample(
  tx: Kysely<Database>,
  s: SharedSample,
  scope: ShareScope,
  budget: number,
): Promise<ShareResult> {
  const none = { scope, devices: 0, samples: 0, overBudget: 0 };
  if (scope.scope === 'device' || s.model.id === null || s.model.version === null) return none;
  const row = {
    source_device_id: s.sourceDeviceId,
    sample_id: s.sampleId,
    label: s.label,
    decision: s.decision,
    scope: JSON.stringify(scope),
    model_id: s.model.id,
    model_version: s.model.version,
    source_group: sql<string | null>`(SELECT group_name FROM devices WHERE id = ${s.sourceDeviceId})`,
    feature_dim: s.features.dim,
    features_key: s.features.key,
    features_offset: s.features.offset,
    validated_at: s.validatedAt,
    shared_by: s.by,
  };
  await tx
    .insertInto('shared_samples')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['source_device_id', 'sample_id']).doUpdateSet({ scope: row.scope, label: row.label }),
    )
    .execute();
  const targets = await sql<{ id: string; shared: number }>`
    SELECT d.id, (SELECT count(*)::int FROM feedback f WHERE f.device_id = d.id
      AND f.source_device_id IS NOT NULL) AS shared
    FROM devices d, shared_samples s
    WHERE s.source_device_id = ${s.sourceDeviceId} AND s.sample_id = ${s.sampleId} AND ${SCOPE_MATCH}
    ORDER BY d.id FOR UPDATE OF d`.execute(tx);
  const eligible = targets.rows.filter((t) => t.shared < budget);
  for (const t of eligible) await issueMany(tx, t.id, [sharedItem(s)]);
  return { scope, devices: eligible.length, samples: 1, overBudget: targets.rows.length - eligible.length };
}

function sharedItem(s: Pick<SharedSample, 'sourceDeviceId' | 'sampleId' | 'label' | 'decision' | 'validatedAt'>) {
  return {
    decision: s.decision,
    at: s.validatedAt,
    sampleId: s.sampleId,
    label: s.label,
    sourceDeviceId: s.sourceDeviceId,
  };
}

/** Adds up the results of sharing several samples with one scope. */
export function addShares(scope: ShareScope, results: readonly ShareResult[]): ShareResult {
  return {
    scope,
    devices: Math.max(0, ...results.map((r) => r.devices)),
    samples: results.filter((r) => r.devices > 0).length,
    overBudget: Math.max(0, ...results.map((r) => r.overBudget)),
  };
}
