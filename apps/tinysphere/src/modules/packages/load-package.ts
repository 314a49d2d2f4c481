import { TinyMLOpsError, type PackageType } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { readBlob } from '../../storage/blob-store.js';
import { readArchive, verifyPackage } from './archive-reader.js';
import { driftEventsHandler } from './package-types/drift-events-handler.js';
import type { IngestInput, PackageTypeHandler } from './package-types/package-type-handler.js';
import { adaptationHandler, stateSnapshotHandler } from './package-types/state-handlers.js';
import { logsHandler, metricsHandler, predictionsHandler } from './package-types/telemetry-handlers.js';

/** Every package type's handler, in the order their rows are written. */
export const HANDLERS: Record<PackageType, PackageTypeHandler<unknown>> = {
  'drift-events': driftEventsHandler as PackageTypeHandler<unknown>,
  metrics: metricsHandler as PackageTypeHandler<unknown>,
  logs: logsHandler as PackageTypeHandler<unknown>,
  'prediction-samples': predictionsHandler as PackageTypeHandler<unknown>,
  'state-snapshot': stateSnapshotHandler as PackageTypeHandler<unknown>,
  'adaptation-events': adaptationHandler as PackageTypeHandler<unknown>,
};

/** Where a stored package's bytes are: a whole object, or a byte range of a segment. */
export interface PackageBlobRef {
  blob_key: string;
  blob_offset: number | null;
  blob_length: number | null;
}

/** A package read, verified and parsed: ready for its blobs and rows. */
export interface LoadedPackage {
  readonly input: IngestInput;
  readonly parsed: readonly { handler: PackageTypeHandler<unknown>; doc: unknown }[];
}

/**
 * Reads a stored package (bounded), verifies its manifest, every hash and that it is the
 * package it was uploaded as, and parses each document with its type's handler. Bad content
 * throws a 4xx TinyMLOpsError (dead-lettered at once); a missing blob a 500 (retried).
 * @example
 * const loaded = await loadPackage(ctx, 'dev_1', 'pkg_1', row);
 */
export async function loadPackage(
  ctx: AppContext,
  deviceId: string,
  packageId: string,
  ref: PackageBlobRef,
): Promise<LoadedPackage> {
  const bytes = await readPackageBytes(ctx, ref);
  const entries = await readArchive(bytes, ctx.config);
  const manifest = verifyPackage(entries);
  if (manifest.deviceId !== deviceId)
    throw new TinyMLOpsError(
      'INVALID_ARCHIVE',
      `manifest.deviceId ${manifest.deviceId} is not the uploading device ${deviceId}`,
    );
  if (manifest.packageId !== packageId)
    throw new TinyMLOpsError(
      'INVALID_ARCHIVE',
      `manifest.packageId ${manifest.packageId} is not the upload's id ${packageId}`,
    );
  const input: IngestInput = { deviceId, packageId, manifest, entries };
  const parsed = manifest.types.map((type) => {
    const handler = HANDLERS[type];
    return { handler, doc: handler.parse(input, documentOf(input, type)) };
  });
  return { input, parsed };
}

async function readPackageBytes(ctx: AppContext, ref: PackageBlobRef): Promise<Buffer> {
  const bytes =
    ref.blob_offset === null
      ? await readBlob(ctx.blobs, ref.blob_key)
      : await ctx.blobs.getRange(ref.blob_key, ref.blob_offset, ref.blob_length ?? 0);
  if (!bytes || (ref.blob_length !== null && bytes.length !== ref.blob_length))
    throw new TinyMLOpsError('INTERNAL', `package blob ${ref.blob_key} is missing or short`);
  return bytes;
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
