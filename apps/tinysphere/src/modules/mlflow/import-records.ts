import type { MlflowImport } from '@tinymlops/contracts';
import type { Selectable } from 'kysely';
import type { AppContext } from '../../app-context.js';
import type { MlflowImportsTable } from '../../storage/database.js';
import { enqueueJob } from '../../storage/jobs.js';

/** The job kind that runs one import. */
export const MLFLOW_IMPORT_JOB = 'mlflow-import';

/** What asks for an import. */
export interface ImportRequest {
  name: string;
  version: string;
  alias: string | null;
  trigger: MlflowImport['trigger'];
}

/**
 * Records that an MLflow version should be imported and queues the job, in one transaction. A
 * version is imported once: polls and webhooks that see it again change nothing; a person
 * (`manual`) may retry one that failed. Returns the record and whether a job was queued.
 * @example
 * await requestImport(ctx, { name: 'fashion', version: '3', alias: 'champion', trigger: 'webhook' });
 */
export async function requestImport(
  ctx: Pick<AppContext, 'db' | 'now' | 'jobEnqueued'>,
  r: ImportRequest,
): Promise<{ record: MlflowImport; queued: boolean }> {
  const queued = await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('mlflow_imports')
      .values({
        name: r.name,
        version: r.version,
        alias: r.alias,
        trigger: r.trigger,
        status: 'pending',
        requested_at: ctx.now(),
      })
      .onConflict((oc) => {
        const target = oc.columns(['name', 'version']);
        if (r.trigger !== 'manual') return target.doNothing();
        const retry = {
          status: 'pending' as const,
          error: null,
          trigger: r.trigger,
          requested_at: ctx.now(),
          finished_at: null,
        };
        return target.doUpdateSet(retry).where('mlflow_imports.status', '=', 'failed');
      })
      .returning('name')
      .executeTakeFirst();
    if (row) await enqueueJob(tx, MLFLOW_IMPORT_JOB, { name: r.name, version: r.version }, 3);
    return row !== undefined;
  });
  if (queued) ctx.jobEnqueued();
  if (r.alias) {
    await ctx.db
      .updateTable('mlflow_imports')
      .set({ alias: r.alias })
      .where('name', '=', r.name)
      .where('version', '=', r.version)
      .where('alias', 'is', null)
      .execute();
  }
  const row = await ctx.db
    .selectFrom('mlflow_imports')
    .selectAll()
    .where('name', '=', r.name)
    .where('version', '=', r.version)
    .executeTakeFirstOrThrow();
  return { record: toImport(row), queued };
}

/**
 * The newest import records first.
 * @example
 * (await listImports(ctx)).filter((i) => i.status === 'failed').map((i) => i.error);
 */
export async function listImports(ctx: Pick<AppContext, 'db'>, limit = 200): Promise<MlflowImport[]> {
  const rows = await ctx.db
    .selectFrom('mlflow_imports')
    .selectAll()
    .orderBy('requested_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toImport);
}

/**
 * The record as the API shows it.
 * @example
 * toImport(row).status; // 'imported'
 */
export function toImport(r: Selectable<MlflowImportsTable>): MlflowImport {
  return {
    name: r.name,
    version: r.version,
    alias: r.alias,
    trigger: r.trigger,
    status: r.status,
    error: r.error,
    attempts: r.attempts,
    runId: r.run_id,
    modelId: r.model_id,
    modelVersion: r.model_version,
    requestedAt: new Date(r.requested_at).toISOString(),
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
  };
}
