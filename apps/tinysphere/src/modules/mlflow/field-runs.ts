import type { FieldMetricsRun } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { deployedVersions, fieldMetrics } from './field-metrics.js';
import type { MlflowClient } from './mlflow-client.js';
import { mlflowOf } from './mlflow-context.js';

/** The job kind of one field-metrics round (one at a time, whichever worker takes it). */
export const FIELD_METRICS_JOB = 'mlflow-field-metrics';

/**
 * Logs the field metrics of every deployed model version to its MLflow run, for the window since
 * the last round (a new run's first window covers all the version's history). Each version has one run in the
 * field experiment, tagged with the TinySphere version and, for imported versions, the MLflow model,
 * version and training run, so field behaviour sits next to training runs. A version no longer
 * deployed gets a last window, then its run is marked FINISHED. Metrics go in with the window's end
 * as timestamp and the round number as step.
 * @example
 * const runs = await logFieldMetrics(ctx); // [{ modelId, version, runId, from, to, metrics, finished }]
 */
export async function logFieldMetrics(ctx: AppContext): Promise<FieldMetricsRun[]> {
  const { config, client } = mlflowOf(ctx);
  const to = ctx.now();
  const deployed = await deployedVersions(ctx.db);
  const open = await ctx.db
    .selectFrom('mlflow_field_runs')
    .select(['model_id', 'version'])
    .where('finished_at', 'is', null)
    .execute();
  const key = (m: string, v: string) => `${m}@${v}`;
  const live = new Set(deployed.map((d) => key(d.modelId, d.version)));
  const targets = new Map(deployed.map((d) => [key(d.modelId, d.version), d]));
  for (const o of open) targets.set(key(o.model_id, o.version), { modelId: o.model_id, version: o.version });
  let experimentId: string | undefined;
  const out: FieldMetricsRun[] = [];
  for (const t of targets.values()) {
    experimentId ??= await client.experimentId(config.fieldExperiment);
    const run = await fieldRun(ctx, client, experimentId, t.modelId, t.version);
    const from = new Date(run.logged_until);
    if (to <= from) continue;
    const metrics = await fieldMetrics(ctx.db, { ...t, from, to });
    const step = run.step + 1;
    await client.logBatch(
      run.run_id,
      Object.entries(metrics).map(([k, value]) => ({ key: k, value, timestamp: to.getTime(), step })),
    );
    const finished = !live.has(key(t.modelId, t.version));
    if (finished) await client.finishRun(run.run_id, 'FINISHED', to.getTime());
    await ctx.db
      .updateTable('mlflow_field_runs')
      .set({ logged_until: to, step, ...(finished ? { finished_at: to } : {}) })
      .where('model_id', '=', t.modelId)
      .where('version', '=', t.version)
      .execute();
    out.push({ ...t, runId: run.run_id, from: from.toISOString(), to: to.toISOString(), metrics, finished });
  }
  return out;
}

/** The version's open field run, created (in MLflow, then recorded) on first use. */
async function fieldRun(ctx: AppContext, client: MlflowClient, experimentId: string, modelId: string, version: string) {
  const find = () =>
    ctx.db
      .selectFrom('mlflow_field_runs')
      .selectAll()
      .where('model_id', '=', modelId)
      .where('version', '=', version)
      .executeTakeFirst();
  const existing = await find();
  if (existing && !existing.finished_at) return existing;
  const v = await ctx.db
    .selectFrom('model_versions')
    .select(['created_at', 'bundle_sha256'])
    .where('model_id', '=', modelId)
    .where('version', '=', version)
    .executeTakeFirst();
  const link = await ctx.db
    .selectFrom('mlflow_imports')
    .select(['name', 'version', 'run_id'])
    .where('model_id', '=', modelId)
    .where('model_version', '=', version)
    .where('status', '=', 'imported')
    .executeTakeFirst();
  // The first window covers everything before it (episodes and labels are keyed by version, so
  // nothing of another version slips in); a redeployed version's new run starts where its
  // finished one stopped, so no window is logged twice.
  const start = existing ? new Date(existing.logged_until) : new Date(0);
  const tags: Record<string, string> = {
    'tinysphere.model_id': modelId,
    'tinysphere.model_version': version,
    'mlflow.note.content': `Field metrics of ${modelId}@${version} as its devices reported them to TinySphere.`,
    ...(link ? { 'tinysphere.mlflow_model': link.name, 'tinysphere.mlflow_version': link.version } : {}),
    ...(link?.run_id ? { 'tinysphere.training_run_id': link.run_id } : {}),
  };
  const startTime = v ? new Date(v.created_at).getTime() : ctx.now().getTime();
  const run = await client.createRun(experimentId, `field ${modelId}@${version}`, tags, startTime);
  await client.logBatch(run.info.run_id, [], {
    model_id: modelId,
    model_version: version,
    ...(v ? { bundle_sha256: v.bundle_sha256 } : {}),
  });
  await ctx.db
    .insertInto('mlflow_field_runs')
    .values({ model_id: modelId, version, run_id: run.info.run_id, logged_until: start, step: 0 })
    .onConflict((oc) =>
      oc
        .columns(['model_id', 'version'])
        .doUpdateSet({ run_id: run.info.run_id, logged_until: start, step: 0, finished_at: null }),
    )
    .execute();
  return (await find()) as NonNullable<Awaited<ReturnType<typeof find>>>;
}
