import { createHash, randomUUID } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { TinyMLOpsError, type PackageReceipt } from '@tinymlops/contracts';
import type { Selectable } from 'kysely';
import type { AppContext } from '../../app-context.js';
import type { PackagesTable } from '../../storage/database.js';
import { QuotaRefusal, type DeviceUsage, type QuotaGate } from './device-quota.js';
import type { AdmittedPackage, PackageCommitter } from './package-committer.js';
import type { UploadMemoryBudget } from './upload-memory-budget.js';

/** A package upload as the route hands it over. */
export interface PackageUpload {
  deviceId: string;
  /** The device's quota counters (from its token check). */
  usage: DeviceUsage;
  packageId: string;
  declaredSha256: string;
  /** Content-Length, when the client sent one. */
  length?: number;
  body: Readable;
}

/** The receipt and whether it was a new package (202) or a replay (200). */
export interface UploadOutcome {
  receipt: PackageReceipt;
  created: boolean;
}

/** Uploads up to this size are buffered and committed in groups (segments); larger ones get their own blob. */
export const SEGMENT_MAX_PACKAGE_BYTES = 1024 * 1024;

/**
 * Accepts a package: reads the body while hashing and counting it (over the limit → 413, hash ≠
 * header → 422, both storing nothing), then hands it to the group committer, which stores it
 * durably and writes the package row with its ingest job in one statement, together with the
 * uploads that arrived meanwhile. Uploads without a Content-Length or above
 * SEGMENT_MAX_PACKAGE_BYTES stream into a blob of their own first. A replay of the same id and
 * hash is answered from the row; the same id with another hash is a 409. The device's quotas are
 * checked first (QuotaGate): over one, nothing is read or stored. So is the process's memory for
 * uploads read into memory (UploadMemoryBudget): when it is full, a 503 the device retries.
 * @example
 * const { receipt, created } = await acceptPackage(ctx, { committer, quotas, memory }, { deviceId, usage, packageId, declaredSha256, body });
 */
export async function acceptPackage(
  ctx: AppContext,
  gates: { committer: PackageCommitter; quotas: QuotaGate; memory: UploadMemoryBudget },
  up: PackageUpload,
): Promise<UploadOutcome> {
  const receivedAt = ctx.now();
  let release: () => void;
  try {
    // A body of unknown length is held at the most it may be until it has arrived.
    release = gates.quotas.admit(up.deviceId, up.usage, up.length ?? ctx.config.maxArchiveBytes, receivedAt);
  } catch (err) {
    // A replay is answered as one even over quota: the device must be able to drop what we have.
    const before = await findPackage(ctx, up.deviceId, up.packageId);
    if (!before || before.sha256 !== up.declaredSha256) {
      if (err instanceof QuotaRefusal) ctx.metrics.quotaRejections.inc({ quota: err.quota });
      throw err;
    }
    up.body.resume();
    return replay(before, up.declaredSha256);
  }
  try {
    const releaseMemory = gates.memory.hold(up.deviceId, bytesInMemory(ctx, up));
    try {
      return await store(ctx, gates.committer, up, receivedAt);
    } finally {
      releaseMemory();
    }
  } finally {
    release();
  }
}

async function store(
  ctx: AppContext,
  committer: PackageCommitter,
  up: PackageUpload,
  receivedAt: Date,
): Promise<UploadOutcome> {
  let admitted: AdmittedPackage;
  if (inMemory(up)) {
    const { bytes, sha256 } = await readVerified(ctx, up);
    admitted = { deviceId: up.deviceId, packageId: up.packageId, sha256, size: bytes.length, receivedAt, bytes };
  } else {
    const before = await findPackage(ctx, up.deviceId, up.packageId);
    if (before) {
      up.body.resume();
      return replay(before, up.declaredSha256);
    }
    const blobKey = `packages/${up.deviceId}/${up.packageId}/${randomUUID()}.tar.gz`;
    const { sha256, size } = await storeVerified(ctx, blobKey, up);
    admitted = { deviceId: up.deviceId, packageId: up.packageId, sha256, size, receivedAt, blobKey };
  }
  if ((await committer.admit(admitted)) === 'exists') {
    // A replay, or lost a race with a concurrent upload of the same id: theirs stands.
    if (admitted.blobKey) await ctx.blobs.delete(admitted.blobKey);
    const winner = await findPackage(ctx, up.deviceId, up.packageId);
    if (!winner) throw new TinyMLOpsError('INTERNAL', 'package vanished after a conflicting insert');
    return replay(winner, admitted.sha256);
  }
  ctx.metrics.packagesReceived.inc({ outcome: 'queued' });
  const { sha256, size } = admitted;
  return {
    created: true,
    receipt: receipt({ package_id: up.packageId, sha256, size, received_at: receivedAt, status: 'queued' }, false),
  };
}

/** Whether the body is read whole into memory (and held there until its group is durable). */
const inMemory = (up: PackageUpload) => up.length !== undefined && up.length <= SEGMENT_MAX_PACKAGE_BYTES;

/** The most of the upload held in memory at once: all of a small one, else what the store's put buffers. */
function bytesInMemory(ctx: AppContext, up: PackageUpload): number {
  if (inMemory(up)) return up.length!;
  return Math.min(up.length ?? ctx.config.maxArchiveBytes, ctx.blobs.putBufferBytes ?? 0);
}

/** Reads a small body into memory, bounded, and checks it against its declared sha256. */
async function readVerified(ctx: AppContext, up: PackageUpload): Promise<{ bytes: Buffer; sha256: string }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  const limit = Math.min(ctx.config.maxArchiveBytes, SEGMENT_MAX_PACKAGE_BYTES);
  try {
    for await (const chunk of up.body) {
      const c = chunk as Buffer;
      size += c.length;
      if (size > limit) {
        up.body.resume();
        throw new TinyMLOpsError('PAYLOAD_TOO_LARGE', `package exceeds ${limit} bytes`);
      }
      hash.update(c);
      chunks.push(c);
    }
  } catch (err) {
    throw bodyError(err, up.body, size);
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== up.declaredSha256) {
    throw new TinyMLOpsError(
      'HASH_MISMATCH',
      `body sha256 ${sha256} does not match X-Content-SHA256 ${up.declaredSha256}`,
    );
  }
  return { bytes: Buffer.concat(chunks, size), sha256 };
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
    // pipeline, not pipe: a client that drops the connection mid-body must fail the write (closing
    // its file and deleting its temp file), not leave it waiting for the rest for ever.
    await ctx.blobs.put(
      blobKey,
      pipeline(up.body, meter, () => {}),
    );
  } catch (err) {
    up.body.resume();
    await ctx.blobs.delete(blobKey);
    throw bodyError(meterError(err, meter), up.body, size);
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

/**
 * A body the client stopped sending (dropped or idle connection) is the client's failure: a 400
 * logged as a rejection, not a 500 logged as a server error for every flaky device.
 */
function bodyError(err: unknown, body: Readable, received: number): unknown {
  if (err instanceof TinyMLOpsError || body.readableEnded) return err;
  return new TinyMLOpsError(
    'VALIDATION_FAILED',
    `the request body is incomplete: the connection closed after ${received} bytes`,
    { cause: err },
  );
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
