import { TinyMLOpsError, type PackageType } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { unstorableText } from '../../http/storable-text.js';
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
 * Reads the stored bytes of a batch of packages, in order: packages that share a segment come
 * from one ranged read of it (one open and read instead of one per package). A missing or
 * short blob gives an INTERNAL error for that package (retried), never for the others.
 * @example
 * const [bytes] = await readStoredPackages(ctx, [row]);
 */
export async function readStoredPackages(
  ctx: AppContext,
  refs: readonly PackageBlobRef[],
): Promise<(Buffer | Error)[]> {
  const spans = new Map<string, { start: number; end: number; bytes?: Promise<Buffer | null> }>();
  for (const r of refs) {
    if (r.blob_offset === null) continue;
    const end = r.blob_offset + (r.blob_length ?? 0);
    const s = spans.get(r.blob_key);
    spans.set(r.blob_key, {
      start: Math.min(s?.start ?? r.blob_offset, r.blob_offset),
      end: Math.max(s?.end ?? end, end),
    });
  }
  for (const [key, s] of spans) s.bytes = ctx.blobs.getRange(key, s.start, s.end - s.start);
  return Promise.all(
    refs.map(async (r) => {
      const span = spans.get(r.blob_key);
      const whole = span ? await span.bytes : await readBlob(ctx.blobs, r.blob_key);
      const bytes =
        span && whole && r.blob_offset !== null
          ? whole.subarray(r.blob_offset - span.start, r.blob_offset - span.start + (r.blob_length ?? 0))
          : whole;
      if (!bytes || (r.blob_length !== null && bytes.length !== r.blob_length))
        return new TinyMLOpsError('INTERNAL', `package blob ${r.blob_key} is missing or short`);
      return bytes;
    }),
  );
}

/**
 * Opens a stored package (bounded), verifies its manifest, every hash and that it is the
 * package it was uploaded as, and parses each document with its type's handler. Bad content
 * throws a 4xx TinyMLOpsError (dead-lettered at once).
 * @example
 * const loaded = await loadPackage(ctx, 'dev_1', 'pkg_1', bytes);
 */
export async function loadPackage(
  ctx: AppContext,
  deviceId: string,
  packageId: string,
  bytes: Buffer,
): Promise<LoadedPackage> {
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

function documentOf(input: IngestInput, type: PackageType): unknown {
  const path = input.manifest.documents[type];
  const bytes = path ? input.entries.get(path) : undefined;
  if (!bytes) throw new TinyMLOpsError('INVALID_ARCHIVE', `the ${type} document is missing`);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new TinyMLOpsError('INVALID_ARCHIVE', `the ${type} document ${path} is not valid JSON`, { cause: err });
  }
  // Bad content, so permanent: as a database error it would have been retried as if transient.
  const problem = unstorableText(doc);
  if (problem) throw new TinyMLOpsError('INVALID_ARCHIVE', `the ${type} document ${path} is not storable: ${problem}`);
  return doc;
}
