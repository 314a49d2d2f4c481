import { AliasName } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { failureIsFinal, type ClaimedJob } from '../../storage/jobs.js';
import type { JobHandler } from '../../storage/job-worker.js';
import { setAlias } from '../models/model-registry.js';
import { mlflowOf } from './mlflow-context.js';
import { importMlflowVersion } from './model-import.js';

/**
 * The `mlflow-import` job: imports one MLflow version and records the outcome. On success the
 * import row links the TinySphere version (model id, version, run id), the alias it was imported
 * for is pointed at it in TinySphere too, and the MLflow version gets a `tinysphere.version` tag.
 * A final failure (bad content, or the last retry) stores the reason for the API and dashboard.
 * @example
 * new JobWorker(db, { 'mlflow-import': createMlflowImportHandler(ctx) });
 */
export function createMlflowImportHandler(ctx: AppContext): JobHandler {
  return async (job: ClaimedJob) => {
    const { name, version } = job.payload as { name: string; version: string };
    const { client } = mlflowOf(ctx);
    await ctx.db
      .updateTable('mlflow_imports')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('name', '=', name)
      .where('version', '=', version)
      .execute();
    try {
      const { summary, runId, source } = await importMlflowVersion(ctx, client, name, version);
      const row = await ctx.db
        .updateTable('mlflow_imports')
        .set({
          status: 'imported',
          error: null,
          model_id: summary.modelId,
          model_version: summary.version,
          run_id: runId,
          source,
          finished_at: ctx.now(),
        })
        .where('name', '=', name)
        .where('version', '=', version)
        .returning('alias')
        .executeTakeFirst();
      if (row?.alias && AliasName.safeParse(row.alias).success)
        await setAlias(ctx, summary.modelId, row.alias, summary.version);
      // A courtesy for people browsing MLflow: failing to set it must not fail an import that worked.
      await client
        .setModelVersionTag(name, version, 'tinysphere.version', `${summary.modelId}@${summary.version}`)
        .catch(() => undefined);
    } catch (err) {
      if (failureIsFinal(job, err)) {
        const error = err instanceof Error ? err.message : String(err);
        await ctx.db
          .updateTable('mlflow_imports')
          .set({ status: 'failed', error, finished_at: ctx.now() })
          .where('name', '=', name)
          .where('version', '=', version)
          .execute();
      }
      throw err;
    }
  };
}
