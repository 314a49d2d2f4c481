import { createHash } from 'node:crypto';
import { TinyMLOpsError, type ModelVersionSummary } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { readArchive } from '../packages/archive-reader.js';
import { verifyBundle } from './bundle-verification.js';

/** Blob key of a model version's bundle archive. */
export function bundleKey(modelId: string, version: string): string {
  return `models/${modelId}/${version}/bundle.tar.gz`;
}

/**
 * Registers a model version from a bundle archive (tar.gz with bundle.json at its root): the
 * archive is read with the package bounds, verified (schema, hashes, signature), stored, and
 * recorded. The same bytes again is a no-op; other bytes under an existing version is a 409.
 * @example
 * const v = await registerBundle(ctx, await readFile('bundle.tar.gz'));
 */
export async function registerBundle(ctx: AppContext, bytes: Buffer): Promise<ModelVersionSummary> {
  if (bytes.length > ctx.config.maxBundleBytes) throw new TinyMLOpsError('PAYLOAD_TOO_LARGE', `bundle exceeds ${ctx.config.maxBundleBytes} bytes`);
  const entries = await readArchive(bytes, {
    maxEntries: ctx.config.maxEntries,
    maxExtractedBytes: ctx.config.maxBundleBytes * 4,
    maxCompressionRatio: ctx.config.maxCompressionRatio,
  }).catch((err: unknown) => {
    throw err instanceof TinyMLOpsError ? new TinyMLOpsError('INVALID_BUNDLE', err.message, { cause: err }) : err;
  });
  const { manifest, signedBy } = verifyBundle(entries, ctx.config.trustedBundleKeys, ctx.config.requireSignedBundles);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const existing = await ctx.db.selectFrom('model_versions').select('bundle_sha256').where('model_id', '=', manifest.id).where('version', '=', manifest.version).executeTakeFirst();
  if (existing && existing.bundle_sha256 !== sha256) throw new TinyMLOpsError('CONFLICT', `${manifest.id}@${manifest.version} already exists with another bundle`);
  if (!existing) {
    await ctx.blobs.put(bundleKey(manifest.id, manifest.version), bytes);
    await ctx.db.transaction().execute(async (tx) => {
      await tx.insertInto('models').values({ id: manifest.id }).onConflict((oc) => oc.doNothing()).execute();
      await tx
        .insertInto('model_versions')
        .values({ model_id: manifest.id, version: manifest.version, bundle_key: bundleKey(manifest.id, manifest.version), bundle_sha256: sha256, bundle_size: bytes.length, manifest: JSON.stringify(manifest), signed_by: signedBy })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
  }
  return (await listVersions(ctx, manifest.id)).find((v) => v.version === manifest.version) as ModelVersionSummary;
}

/** Every version of a model, newest first, with the aliases pointing at each. */
export async function listVersions(ctx: AppContext, modelId: string): Promise<ModelVersionSummary[]> {
  const [rows, aliases, imports] = await Promise.all([
    ctx.db.selectFrom('model_versions').selectAll().where('model_id', '=', modelId).orderBy('created_at', 'desc').execute(),
    ctx.db.selectFrom('model_aliases').selectAll().where('model_id', '=', modelId).execute(),
    ctx.db.selectFrom('mlflow_imports').select(['name', 'version', 'run_id', 'source', 'model_version']).where('model_id', '=', modelId).where('status', '=', 'imported').execute(),
  ]);
  const mlflow = new Map(imports.map((i) => [i.model_version, { name: i.name, version: i.version, runId: i.run_id, source: i.source }]));
  return rows.map((r) => ({
    modelId: r.model_id,
    version: r.version,
    bundleSha256: r.bundle_sha256,
    bundleSize: r.bundle_size,
    signedBy: r.signed_by,
    aliases: aliases.filter((a) => a.version === r.version).map((a) => a.alias).sort(),
    createdAt: new Date(r.created_at).toISOString(),
    mlflow: mlflow.get(r.version) ?? null,
  }));
}

/** Points an alias (production, canary, …) at a version. */
export async function setAlias(ctx: AppContext, modelId: string, alias: string, version: string): Promise<void> {
  const v = await ctx.db.selectFrom('model_versions').select('version').where('model_id', '=', modelId).where('version', '=', version).executeTakeFirst();
  if (!v) throw new TinyMLOpsError('NOT_FOUND', `model version ${modelId}@${version} not found`);
  await ctx.db
    .insertInto('model_aliases')
    .values({ model_id: modelId, alias, version })
    .onConflict((oc) => oc.columns(['model_id', 'alias']).doUpdateSet({ version }))
    .execute();
}

/** The version an alias points at. */
export async function resolveAlias(ctx: AppContext, modelId: string, alias: string): Promise<string> {
  const a = await ctx.db.selectFrom('model_aliases').select('version').where('model_id', '=', modelId).where('alias', '=', alias).executeTakeFirst();
  if (!a) throw new TinyMLOpsError('NOT_FOUND', `model ${modelId} has no alias ${alias}`);
  return a.version;
}
