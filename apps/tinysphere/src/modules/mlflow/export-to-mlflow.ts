import { createHash } from 'node:crypto';
import type { FieldExportMlflowResult, FieldExportQuery } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { exportFieldDataset } from '../exports/field-export.js';
import { proxiedArtifactPath } from './artifact-location.js';
import { mlflowOf } from './mlflow-context.js';

/**
 * Logs a field dataset to MLflow: a FINISHED run in the field experiment holding the `.tar.gz` as
 * an artifact (`field-dataset/<file>`) and, as a dataset input (`mlflow.data.context` = training),
 * its name, sha256 digest, source (the artifact URI) and a profile (count, classes, versions). A
 * training script can then start from the run instead of a file copied around.
 * @example
 * const r = await logExportToMlflow(ctx, { modelId: 'fashion-mnv2', limit: 10_000 });
 */
export async function logExportToMlflow(ctx: AppContext, query: FieldExportQuery): Promise<FieldExportMlflowResult> {
  const { config, client } = mlflowOf(ctx);
  const x = await exportFieldDataset(ctx, query);
  const chunks: Buffer[] = [];
  for await (const c of x.stream) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const experimentId = await client.experimentId(config.fieldExperiment);
  const now = ctx.now().getTime();
  const name = `${query.modelId}-field-data`;
  const run = await client.createRun(
    experimentId,
    `field data ${x.fileName}`,
    { 'tinysphere.model_id': query.modelId },
    now,
  );
  const root = run.info.artifact_uri ?? '';
  const artifact = `${proxiedArtifactPath(root, config.trackingUri)}/field-dataset/${x.fileName}`;
  await client.uploadArtifact(artifact, bytes);
  const m = x.manifest;
  const profile = JSON.stringify({
    num_samples: m.count,
    feature_dim: m.featureDim,
    classes: m.classes,
    model_versions: m.modelVersions,
  });
  const source = JSON.stringify({ uri: `${root}/field-dataset/${x.fileName}` });
  await client.logDatasetInput(
    run.info.run_id,
    { name, digest, sourceType: 'tinysphere', source, profile },
    'training',
  );
  await client.logBatch(run.info.run_id, [{ key: 'field.samples', value: m.count, timestamp: now }], {
    model_id: query.modelId,
    filter: JSON.stringify(m.filter).slice(0, 250),
  });
  await client.finishRun(run.info.run_id, 'FINISHED', ctx.now().getTime());
  return {
    schemaVersion: 1,
    runId: run.info.run_id,
    artifactUri: `${root}/field-dataset/${x.fileName}`,
    datasetName: name,
    datasetDigest: digest,
    count: m.count,
  };
}
