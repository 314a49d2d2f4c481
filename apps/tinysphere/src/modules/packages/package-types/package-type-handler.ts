import type { PackageManifest, PackageType } from '@tinymlops/contracts';
import type { Transaction } from 'kysely';
import type { AppContext } from '../../../app-context.js';
import type { Database } from '../../../storage/database.js';
import type { ArchiveEntries } from '../archive-reader.js';

/** What a package-type handler gets: the verified archive and who sent it. */
export interface IngestInput {
  readonly deviceId: string;
  readonly packageId: string;
  readonly manifest: PackageManifest;
  readonly entries: ArchiveEntries;
}

/** Where a package's byte runs (see `runs`) were stored: one blob shared by an ingest batch. */
export interface StoredRuns {
  readonly key: string;
  /** Absolute offset of each run in `key`, in the order `runs` returned them; null for a missing run. */
  readonly offsets: readonly (number | null)[];
}

/** One package of an ingest batch, as a handler's `rows` sees it. */
export interface HandlerItem<D> {
  readonly input: IngestInput;
  readonly doc: D;
  /** Where this package's runs were stored; null when `runs` is not defined or returned none. */
  readonly stored: StoredRuns | null;
}

/**
 * Ingests one package type in steps: `parse` validates its document (throws a 4xx
 * TinyMLOpsError on bad content); `runs` names byte runs (features, images) that the batch
 * stores in ONE blob with every other package's runs (one durable write per batch); `blobs`
 * writes objects of its own (idempotent keys, before the transaction); `rows` writes the rows
 * of every package of the batch that has this type, inside the batch's ingest transaction.
 */
export interface PackageTypeHandler<D> {
  readonly type: PackageType;
  parse(input: IngestInput, document: unknown): D;
  runs?(input: IngestInput, doc: D): readonly (Buffer | undefined)[];
  blobs?(ctx: AppContext, input: IngestInput, doc: D): Promise<void>;
  rows(tx: Transaction<Database>, items: readonly HandlerItem<D>[]): Promise<void>;
}

/** Inserts rows in chunks that stay below PostgreSQL's 65,535-parameter limit. */
export function chunked<T>(rows: readonly T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Lays byte runs end to end for one blob per package (one durable write instead of one per
 * item) and returns where each run starts (null for a missing run).
 * @example
 * const { bytes, offsets } = packRuns([features, image, features2, undefined]);
 */
export function packRuns(runs: readonly (Buffer | undefined)[]): { bytes: Buffer[]; offsets: (number | null)[] } {
  const bytes: Buffer[] = [];
  const offsets: (number | null)[] = [];
  let offset = 0;
  for (const run of runs) {
    offsets.push(run ? offset : null);
    if (!run) continue;
    bytes.push(run);
    offset += run.length;
  }
  return { bytes, offsets };
}
