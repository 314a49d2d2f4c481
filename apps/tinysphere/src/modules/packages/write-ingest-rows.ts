import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AppContext } from '../../app-context.js';
import type { Database } from '../../storage/database.js';
import { HANDLERS, type LoadedPackage } from './load-package.js';
import { packRuns, type StoredRuns } from './package-types/package-type-handler.js';
import { packageIn, packageKey, rowKey } from './package-keys.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** A loaded package with where each of its types' runs went in the batch blob. */
export interface StagedPackage extends LoadedPackage {
  readonly stored: ReadonlyMap<unknown, StoredRuns | null>;
}

/**
 * Starts storing the byte runs (feature vectors, images) of every package of a batch in ONE
 * blob, so a batch costs one durable write instead of one per package, and says where each run
 * will be. `durable` settles when the blob is stored: pass it to writeIngestRows, which writes
 * the rows meanwhile but commits only after it, so no committed row points at bytes that are not
 * durable. If the rows never commit the blob is left unreferenced (a retry writes a new one).
 * @example
 * const { staged, durable } = storeRuns(ctx, loaded);
 * await writeIngestRows(ctx, staged, durable);
 */
export function storeRuns(
  ctx: AppContext,
  loaded: readonly LoadedPackage[],
): { staged: StagedPackage[]; durable: Promise<void> } {
  const key = `ingest/${ctx.now().toISOString().slice(0, 10)}/${randomUUID()}.bin`;
  const perDoc = loaded.flatMap((p) => p.parsed.map(({ handler, doc }) => handler.runs?.(p.input, doc) ?? []));
  const { bytes, offsets } = packRuns(perDoc.flat());
  const durable = bytes.length > 0 ? ctx.blobs.put(key, Buffer.concat(bytes)).then(() => {}) : Promise.resolve();
  // Observed by writeIngestRows; this only keeps an early failure from being "unhandled".
  durable.catch(() => {});
  let at = 0;
  let d = 0;
  const staged = loaded.map((p) => {
    const stored = new Map<unknown, StoredRuns | null>();
    for (const { doc } of p.parsed) {
      const n = (perDoc[d++] ?? []).length;
      stored.set(doc, n > 0 ? { key, offsets: offsets.slice(at, at + n) } : null);
      at += n;
    }
    return { ...p, stored };
  });
  return { staged, durable };
}

/**
 * Writes the rows of a batch of packages and marks them ingested, in one transaction, after
 * locking their package rows (in key order, so concurrent batches cannot deadlock): a package
 * another run already ingested is skipped, so a job that runs twice ingests once. Commits only
 * once `durable` (the batch blob) has settled, and rolls back if it failed.
 * @example
 * await writeIngestRows(ctx, staged, durable);
 */
export async function writeIngestRows(
  ctx: AppContext,
  staged: readonly StagedPackage[],
  durable: Promise<void>,
): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const locked = await tx
      .selectFrom('packages')
      .select(['device_id', 'package_id', 'status', 'size'])
      .where(packageIn(staged.map((p) => p.input)))
      .orderBy('device_id')
      .orderBy('package_id')
      .forUpdate()
      .execute();
    const done = new Set(locked.filter((r) => r.status === 'ingested').map(rowKey));
    const fresh = staged.filter((p) => !done.has(packageKey(p.input)));
    for (const handler of Object.values(HANDLERS)) {
      const items = fresh.flatMap((p) =>
        p.parsed
          .filter((x) => x.handler === handler)
          .map(({ doc }) => ({ input: p.input, doc, stored: p.stored.get(doc) ?? null })),
      );
      if (items.length > 0) await handler.rows(tx, items);
    }
    for (const group of byTypes(fresh)) {
      await tx
        .updateTable('packages')
        .set((eb) => ({
          status: 'ingested',
          ingested_at: ctx.now(),
          error: null,
          types: JSON.stringify(group[0]?.input.manifest.types ?? []),
          ingest_count: eb('ingest_count', '+', 1),
        }))
        .where(packageIn(group.map((p) => p.input)))
        .execute();
    }
    const sizes = new Map(locked.map((r) => [rowKey(r), r.size]));
    await releasePending(
      tx,
      fresh.map((p) => ({ deviceId: p.input.deviceId, bytes: sizes.get(packageKey(p.input)) ?? 0 })),
    );
    await durable;
  });
}

/**
 * Takes packages that left the queue (ingested, or failed for good) off their devices' pending
 * quota counters, in the transaction that changed their status.
 * @example
 * await releasePending(tx, [{ deviceId: 'dev_abc12345', bytes: 51200 }]);
 */
export async function releasePending(
  tx: Executor,
  packages: readonly { deviceId: string; bytes: number }[],
): Promise<void> {
  const byDevice = new Map<string, number>();
  for (const p of packages) byDevice.set(p.deviceId, (byDevice.get(p.deviceId) ?? 0) + p.bytes);
  if (byDevice.size === 0) return;
  const values = [...byDevice].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, n]) => sql`(${d}::text, ${n}::bigint)`);
  await sql`
    UPDATE device_usage u SET pending_bytes = greatest(0, u.pending_bytes - x.bytes)
    FROM (VALUES ${sql.join(values)}) AS x(device_id, bytes) WHERE u.device_id = x.device_id`.execute(tx);
}

/** Packages grouped by their list of types: one UPDATE per group (usually one). */
function byTypes(packages: readonly StagedPackage[]): StagedPackage[][] {
  const groups = new Map<string, StagedPackage[]>();
  for (const p of packages) {
    const key = JSON.stringify(p.input.manifest.types);
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()];
}
