import { TinyMLOpsError, type PackageType } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import type { JobHandler } from '../../storage/job-worker.js';
import type { ClaimedJob } from '../../storage/jobs.js';
import { readArchive, verifyPackage } from './archive-reader.js';
import { driftEventsHandler } from './package-types/drift-events-handler.js';
import type { IngestInput, PackageTypeHandler } from './package-types/package-type-handler.js';
import { adaptationHandler, stateSnapshotHandler } from './package-types/state-handlers.js';
import { logsHandler, metricsHandler, predictionsHandler } from './package-types/telemetry-handlers.js';

const HANDLERS: Record<PackageType, PackageTypeHandler<unknown>> = {
  'drift-events': driftEventsHandler as PackageTypeHandler<unknown>,
  metrics: metricsHandler as PackageTypeHandler<unknown>,
  logs: logsHandler as PackageTypeHandler<unknown>,
  'prediction-samples': predictionsHandler as PackageTypeHandler<unknown>,
  'state-snapshot': stateSnapshotHandler as PackageTypeHandler<unknown>,
  'adaptation-events': adaptationHandler as PackageTypeHandler<unknown>,
};

/**
 * The `ingest-package` job: read the stored archive (bounded), verify the manifest and every
 * hash, parse each document, write blobs, then write all rows and mark the package ingested in
 * one transaction. Running it twice is harmless: the package row is locked and checked first.
 * @example
 * new JobWorker(db, { 'ingest-package': createIngestHandler(ctx) }).start();
 */
export function createIngestHandler(ctx: AppContext): JobHandler {
  return async (job: ClaimedJob) => {
    const deviceId = String(job.payload['deviceId']);
    const packageId = String(job.payload['packageId']);
    try {
      await ingest(ctx, deviceId, packageId);
      ctx.metrics.jobs.inc({ kind: job.kind, outcome: 'done' });
    } catch (err) {
      const permanent = err instanceof TinyMLOpsError && err.status < 500;
      if (permanent || job.attempts >= job.maxAttempts) {
        const message = err instanceof Error ? err.message : String(err);
        await ctx.db
          .updateTable('packages')
          .set({ status: 'failed', error: message })
          .where('device_id', '=', deviceId)
          .where('package_id', '=', packageId)
          .where('status', '!=', 'ingested')
          .execute();
      }
      throw err;
    }
  };
}

async function ingest(ctx: AppContext, deviceId: string, packageId: string): Promise<void> {
  const row = await ctx.db
    .selectFrom('packages')
    .select(['blob_key', 'status'])
    .where('device_id', '=', deviceId)
    .where('package_id', '=', packageId)
    .executeTakeFirst();
  if (!row) throw new TinyMLOpsError('NOT_FOUND', `package ${deviceId}/${packageId} not found`);
  if (row.status === 'ingested') return;
  await ctx.db
    .updateTable('packages')
    .set({ status: 'processing' })
    .where('device_id', '=', deviceId)
    .where('package_id', '=', packageId)
    .execute();
  const stream = await ctx.blobs.get(row.blob_key);
  if (!stream) throw new TinyMLOpsError('INTERNAL', `package blob ${row.blob_key} is missing`);
  const entries = await readArchive(stream, ctx.config);
  const manifest = verifyPackage(entries);
  if (manifest.deviceId !== deviceId) {
    throw new TinyMLOpsError(
      'INVALID_ARCHIVE',
      `manifest.deviceId ${manifest.deviceId} is not the uploading device ${deviceId}`,
    );
  }
  if (manifest.packageId !== packageId) {
    throw new TinyMLOpsError(
      'INVALID_ARCHIVE',
      `manifest.packageId ${manifest.packageId} is not the upload's id ${packageId}`,
    );
  }
  const input: IngestInput = { deviceId, packageId, manifest, entries };
  const parsed = manifest.types.map((type) => {
    const handler = HANDLERS[type];
    const doc = documentOf(input, type);
    return { handler, doc: handler.parse(input, doc) };
  });
  for (const { handler, doc } of parsed) await handler.blobs?.(ctx, input, doc);
  await ctx.db.transaction().execute(async (tx) => {
    const locked = await tx
      .selectFrom('packages')
      .select('status')
      .where('device_id', '=', deviceId)
      .where('package_id', '=', packageId)
      .forUpdate()
      .executeTakeFirst();
    if (locked?.status === 'ingested') return;
    for (const { handler, doc } of parsed) await handler.rows(tx, input, doc);
    await tx
      .updateTable('packages')
      .set((eb) => ({
        status: 'ingested',
        ingested_at: ctx.now(),
        error: null,
        types: JSON.stringify(manifest.types),
        ingest_count: eb('ingest_count', '+', 1),
      }))
      .where('device_id', '=', deviceId)
      .where('package_id', '=', packageId)
      .execute();
  });
}

function documentOf(input: IngestInput, type: PackageType): unknown {
  const path = input.manifest.documents[type];
  const bytes = path ? input.entries.get(path) : undefined;
  if (!bytes) throw new TinyMLOpsError('INVALID_ARCHIVE', `the ${type} document is missing`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new TinyMLOpsError('INVALID_ARCHIVE', `the ${type} document ${path} is not valid JSON`, { cause: err });
  }
}
