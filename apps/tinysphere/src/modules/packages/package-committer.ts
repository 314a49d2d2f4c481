import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';
import { GroupCommit } from '../../storage/group-commit.js';
import { DEFAULT_RETRY } from '../../storage/jobs.js';
import { utcDay } from './device-quota.js';
import { packageKey } from './package-keys.js';

/** A verified upload waiting to be made durable: its bytes (small uploads) or its own blob. */
export interface AdmittedPackage {
  readonly deviceId: string;
  readonly packageId: string;
  readonly sha256: string;
  readonly size: number;
  readonly receivedAt: Date;
  /** In memory: stored in the group's segment. Otherwise `blobKey` already holds the package. */
  readonly bytes?: Buffer;
  readonly blobKey?: string;
}

/** Whether the package row was created by this upload; otherwise another upload's row exists. */
export type Admission = 'created' | 'exists';

/** Bounds of one group (segment): enough to amortise a durable write, small enough to stay quick. */
const MAX_GROUP = 64;
const MAX_SEGMENT_BYTES = 8 * 1024 * 1024;
/**
 * Groups being committed at once: while one group waits for its fsync, the next can already be
 * written, so an upload waits for its own group only.
 */
const MAX_IN_FLIGHT = 2;

/**
 * Group commit for uploads: uploads that arrive while groups are being made durable wait and
 * go together in the next one (`GroupCommit`, at most MAX_IN_FLIGHT groups at a time; a failed
 * group is retried one upload at a time). A group costs ONE blob (a segment holding every
 * in-memory package end to end, so one fsync) and ONE statement inserting every package row
 * with its `ingest-package` job (atomic, like a transaction); a package whose row already exists
 * (a replay, or a 409) gets no row and no job. The segment is durable before the statement
 * runs, so an accepted package is never lost.
 * @example
 * const committer = new PackageCommitter(ctx);
 * const admission = await committer.admit({ deviceId, packageId, sha256, size, receivedAt, bytes });
 */
export class PackageCommitter {
  // Uploads of one id go in separate groups, so the second finds the first one's row.
  private readonly groups = new GroupCommit<AdmittedPackage, Admission>((group) => this.commit(group), {
    maxBatch: MAX_GROUP,
    maxInFlight: MAX_IN_FLIGHT,
    keyOf: packageKey,
    weight: { of: (p) => p.bytes?.length ?? 0, max: MAX_SEGMENT_BYTES },
  });

  constructor(private readonly ctx: AppContext) {}

  admit(pkg: AdmittedPackage): Promise<Admission> {
    return this.groups.submit(pkg);
  }

  /**
   * Makes one group durable; resolves with each package's admission, in order. The bytes of a
   * replay or a conflict go into the segment too (looking rows up first would cost every group
   * a round trip, for the rare upload whose row exists): a segment that got no row is deleted,
   * and in one that did they stay as an unreferenced byte range.
   */
  private async commit(group: readonly AdmittedPackage[]): Promise<Admission[]> {
    const { key, placed } = await this.storeSegment(group);
    const created = await this.insert(placed);
    if (created.size > 0) this.ctx.jobEnqueued();
    const admissions = placed.map((at) => (created.has(refOf(at.blobKey, at.offset)) ? 'created' : 'exists'));
    // Best effort: should the delete fail, the replay is still answered and `sweep-blobs` removes it.
    if (key && !admissions.some((a, i) => a === 'created' && placed[i]?.blobKey === key))
      await this.ctx.blobs.delete(key).catch(() => {});
    return admissions;
  }

  /** Writes the in-memory packages end to end as one blob (`key`, null if none); returns where every package is. */
  private async storeSegment(group: readonly AdmittedPackage[]) {
    const key = `packages/segments/${this.ctx.now().toISOString().slice(0, 10)}/${randomUUID()}.seg`;
    let offset = 0;
    const placed = group.map((pkg) => {
      if (!pkg.bytes) return { pkg, blobKey: pkg.blobKey ?? '', offset: null, length: null };
      const at = { pkg, blobKey: key, offset, length: pkg.bytes.length };
      offset += pkg.bytes.length;
      return at;
    });
    const bytes = group.flatMap((p) => (p.bytes ? [p.bytes] : []));
    if (bytes.length === 0) return { key: null, placed };
    await this.ctx.blobs.put(key, Buffer.concat(bytes));
    return { key, placed };
  }

  /**
   * One statement: every package row (ON CONFLICT DO NOTHING), a job for each row inserted, and
   * the quota counters of their devices (device_usage) moved by what was inserted.
   */
  private async insert(
    placed: readonly { pkg: AdmittedPackage; blobKey: string; offset: number | null; length: number | null }[],
  ): Promise<Set<string>> {
    const values = placed.map(
      ({ pkg, blobKey, offset, length }) =>
        sql`(${pkg.deviceId}::text, ${pkg.packageId}::text, ${pkg.sha256}::text, ${pkg.size}::integer, ${blobKey}::text, ${offset}::integer, ${length}::integer, ${pkg.receivedAt}::timestamptz)`,
    );
    const r = await sql<{ blob_key: string; blob_offset: number | null }>`
      WITH input (device_id, package_id, sha256, size, blob_key, blob_offset, blob_length, received_at) AS (
        VALUES ${sql.join(values)}),
      inserted AS (
        INSERT INTO packages (device_id, package_id, sha256, size, blob_key, blob_offset, blob_length, status, received_at)
        SELECT device_id, package_id, sha256, size, blob_key, blob_offset, blob_length, 'queued', received_at FROM input
        ON CONFLICT DO NOTHING
        RETURNING device_id, package_id, size, blob_key, blob_offset),
      queued AS (
        INSERT INTO jobs (kind, payload, status, max_attempts, run_at)
        SELECT 'ingest-package', jsonb_build_object('deviceId', device_id, 'packageId', package_id), 'queued',
               ${DEFAULT_RETRY.maxAttempts}::integer, now()
        FROM inserted),
      usage AS (
        INSERT INTO device_usage AS u (device_id, stored_bytes, pending_bytes, day, day_packages)
        SELECT device_id, sum(size), sum(size), ${utcDay(this.ctx.now())}::date, count(*)
        FROM inserted GROUP BY device_id ORDER BY device_id
        ON CONFLICT (device_id) DO UPDATE SET
          stored_bytes = u.stored_bytes + excluded.stored_bytes,
          pending_bytes = u.pending_bytes + excluded.pending_bytes,
          day_packages = CASE WHEN u.day = excluded.day THEN u.day_packages + excluded.day_packages
                              ELSE excluded.day_packages END,
          day = excluded.day)
      SELECT blob_key, blob_offset FROM inserted`.execute(this.ctx.db);
    return new Set(r.rows.map((row) => refOf(row.blob_key, row.blob_offset)));
  }
}

/** An upload's unique place: its segment and offset, or its own blob. */
function refOf(blobKey: string, offset: number | null): string {
  return `${blobKey}@${offset ?? ''}`;
}
