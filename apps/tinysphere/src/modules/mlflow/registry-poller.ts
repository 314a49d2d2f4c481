import { AliasName } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { setAlias } from '../models/model-registry.js';
import type { MlflowSource } from './mlflow-config.js';
import { mlflowOf } from './mlflow-context.js';
import { requestImport, type ImportRequest } from './import-records.js';

/**
 * The version a source names now: the alias's target, or the pinned version.
 * @example
 * await resolveSource(client, parseModelUri('models:/fashion@champion')); // '3'
 */
export async function resolveSource(
  client: ReturnType<typeof mlflowOf>['client'],
  source: MlflowSource,
): Promise<string> {
  return source.alias
    ? (await client.modelVersionByAlias(source.name, source.alias)).version
    : (source.version as string);
}

/**
 * One poll of every configured source: a version not seen before is queued for import (an alias
 * that moved back to an imported version is not imported twice; TinySphere's alias follows it on
 * the next import only). One failing source does not stop the others; the errors are returned.
 * @example
 * const { requested, errors } = await pollSources(ctx);
 */
export async function pollSources(ctx: AppContext): Promise<{ requested: number; errors: string[] }> {
  const { config, client } = mlflowOf(ctx);
  let requested = 0;
  const errors: string[] = [];
  for (const source of config.sources) {
    try {
      const version = await resolveSource(client, source);
      if (await importOrFollow(ctx, { name: source.name, version, alias: source.alias, trigger: 'poll' })) requested++;
    } catch (err) {
      errors.push(`${source.uri}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { requested, errors };
}

/**
 * Queues the import of a version not seen before; for one already imported, points the TinySphere
 * alias of the request at it (an MLflow alias moved back to an older version). Returns whether an
 * import was queued.
 * @example
 * await importOrFollow(ctx, { name: 'fashion', version: '2', alias: 'champion', trigger: 'webhook' });
 */
export async function importOrFollow(ctx: AppContext, r: ImportRequest): Promise<boolean> {
  const { record, queued } = await requestImport(ctx, r);
  const { alias } = r;
  if (!queued && alias && record.status === 'imported' && record.modelId && record.modelVersion) {
    if (AliasName.safeParse(alias).success) await setAlias(ctx, record.modelId, alias, record.modelVersion);
  }
  return queued;
}
