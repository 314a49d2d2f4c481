import { createHash, randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { TinyMLOpsError, type PackageReceipt } from '@tinymlops/contracts';
import type { Selectable } from 'kysely';
import type { AppContext } from '../../app-context.js';
import type { PackagesTable } from '../../storage/database.js';
import { enqueueJob } from '../../storage/jobs.js';

/** A package upload as the route hands it over. */
export interface PackageUpload {
  deviceId: string;
  packageId: string;
  declaredSha256: string;
  body: Readable;
}

/** The receipt and whether it was a new package (202) or a replay (200). */
export interface UploadOutcome {
  receipt: PackageReceipt;
  created: boolean;
}

/**
 * Accepts a package: streams the body into the blob store while hashing and counting it (over
 * the limit → 413, hash ≠ header → 422, both leaving no blob), then writes the package row and
 * its ingest job in one transaction. A replay of the same id and hash is answered from the row;
 * the same id with another hash is a 409.
 * @example
 * const { receipt, created } = await acceptPackage(ctx, { deviceId, packageId, declaredSha256, body: req.raw });
 */
export async function acceptPackage(ctx: AppContext, up: PackageUpload): Promise<UploadOutcome> {
  const before = await findPackage(ctx, up.deviceId, up.packageId);
  if (before) {
    up.body.resume();
    return replay(before, up.declaredSha256);
  }
  const blobKey = `packages/${up.deviceId}/${up.packageId}/${randomUUID()}.tar.gz`;
  const { sha256, size } = await storeVerified(ctx, blobKey, up);
  const receivedAt = ctx.now();
  const inserted = await ctx.db.transaction().execute(async (tx) => {
    const r = await tx
      .insertInto('packages')
      .values({
        device_id: up.deviceId,
        package_id: up.packageId,
        sha256,
        size,
        blob_key: blobKey,
        status: 'queued',
        types: null,
        received_at: receivedAt,
        ingested_at: null,
        error: null,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (r.numInsertedOrUpdatedRows === 0n) return false;
    await enqueueJob(tx, 'ingest-package', { deviceId: up.deviceId, packageId: up.packageId });
    return true;
  });
  if (!inserted) {
    // Lost a race with a concurrent upload of the same id: keep theirs, answer as a replay.
    await ctx.blobs.delete(blobKey);
    const winner = await findPackage(ctx, up.deviceId, up.packageId);
    if (!winner) throw new TinyMLOpsError('INTERNAL', 'package vanished after a conflicting insert');
    return replay(winner, sha256);
  }
  ctx.metrics.packagesReceived.inc({ outcome: 'queued' });
  ctx.jobEnqueued();
  return {
    created: true,
    receipt: receipt({ package_id: up.packageId, sha256, size, received_at: receivedAt, status: 'queued' }, false),
  };
}

async function storeVerified(
  ctx: AppContext,
  blobKey: string,
  up: PackageUpload,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const limit = ctx.config.maxArchiveBytes;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) return cb(new TinyMLOpsError('PAYLOAD_TOO_LARGE', `package exceeds ${limit} bytes`));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await ctx.blobs.put(blobKey, up.body.pipe(meter));
  } catch (err) {
    up.body.resume();
    await ctx.blobs.delete(blobKey);
    throw meterError(err, meter);
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== up.declaredSha256) {
    await ctx.blobs.delete(blobKey);
    throw new TinyMLOpsError(
      'HASH_MISMATCH',
      `body sha256 ${sha256} does not match X-Content-SHA256 ${up.declaredSha256}`,
    );
  }
  return { sha256, size };
}

/** The meter's own error wins over the broken-pipe error it causes downstream. */
function meterError(err: unknown, meter: Transform): unknown {
  const own = meter.errored;
  return own instanceof TinyMLOpsError ? own : err;
}

function replay(
  row: Pick<Selectable<PackagesTable>, 'package_id' | 'sha256' | 'size' | 'received_at' | 'status'>,
  sha256: string,
): UploadOutcome {
  if (row.sha256 !== sha256) {
    throw new TinyMLOpsError('CONFLICT', `package ${row.package_id} was already accepted with another sha256`);
  }
  return { created: false, receipt: receipt(row, true) };
}

/** Looks up one of a device's packages. */
export function findPackage(ctx: AppContext, deviceId: string, packageId: string) {
  return ctx.db
    .selectFrom('packages')
    .select(['package_id', 'sha256', 'size', 'received_at', 'status'])
    .where('device_id', '=', deviceId)
    .where('package_id', '=', packageId)
    .executeTakeFirst();
}

/** A PackageReceipt from a package row. */
export function receipt(
  row: Pick<Selectable<PackagesTable>, 'package_id' | 'sha256' | 'size' | 'received_at' | 'status'>,
  duplicate: boolean,
): PackageReceipt {
  return {
    schemaVersion: 1,
    packageId: row.package_id,
    sha256: row.sha256,
    size: row.size,
    receivedAt: new Date(row.received_at).toISOString(),
    duplicate,
    status: row.status,
  };
}
