import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { TEMP_MARKER, writeFileAtomic } from './atomic-write.js';
import { Journal, readJournal, type DroppedCounts, type JournalLine } from './outbox-journal.js';
import { OutboxLedger, type OutboxEntry } from './outbox-ledger.js';
import type { BuiltPackage } from './package-builder.js';
import type { SyncLogger } from './sync-logger.js';

export { PACKAGE_PRIORITIES, type OutboxEntry } from './outbox-ledger.js';
export type { DroppedCounts } from './outbox-journal.js';

/** Options of {@link Outbox.open}. */
export interface OutboxOptions {
  /** Most bytes of package files kept on disk; beyond it the drop policy applies. */
  budgetBytes: number;
  now?: () => number;
  log?: SyncLogger;
  /** Compact the journal once this many of its lines describe gone packages (default 512). */
  compactAfterDeadLines?: number;
  /** Copies of rejected packages kept under `rejected/` (default 100; the oldest go first). */
  maxRejectedFiles?: number;
}

/** What {@link Outbox.enqueue} did. */
export interface EnqueueResult {
  accepted: boolean;
  /** Ids of older packages dropped to make room. */
  evicted: string[];
}

const SUFFIX = '.tar.gz';

/** Where an outbox keeps its parts; the device's `status` command reads the same layout. */
export interface OutboxLayout {
  /** One `<packageId>.tar.gz` per waiting package. */
  packages: string;
  /** Copies of packages the server refused for good. */
  rejected: string;
  /** The append-only journal: the truth about which packages wait. */
  journal: string;
}

/**
 * The folders and files of the outbox in `dir`.
 * @example
 * const { packages } = outboxLayout('/var/lib/tinylcm/outbox'); // '/var/lib/tinylcm/outbox/packages'
 */
export function outboxLayout(dir: string): OutboxLayout {
  return { packages: join(dir, 'packages'), rejected: join(dir, 'rejected'), journal: join(dir, 'journal.ndjson') };
}

/** True for a complete package file name in {@link OutboxLayout.packages} (not a temp file). */
export function isPackageFile(name: string): boolean {
  return name.endsWith(SUFFIX) && !name.includes(TEMP_MARKER);
}

/**
 * The on-disk outbox: package files plus an append-only, fsync'd journal (see docs/sync.md).
 * Durable once `enqueue` resolves; survives crashes at any point; bounded by a byte budget.
 * @example
 * const outbox = await Outbox.open('/var/lib/tinylcm/outbox', { budgetBytes: 50 * 1024 * 1024 });
 * await outbox.enqueue(await buildPackage({ packageId: packageIdFor(deviceId, outbox.reserveSequence()), ... }));
 * for (const entry of outbox.pending()) { ...upload...; await outbox.ack(entry.packageId); }
 */
export class Outbox {
  private readonly ledger = new OutboxLedger();
  private lock: Promise<unknown> = Promise.resolve();
  private journal!: Journal;

  private constructor(
    readonly dir: string,
    private readonly options: OutboxOptions,
  ) {}

  /** Opens the outbox in `dir`, replaying its journal and cleaning what a crash left behind. */
  static async open(dir: string, options: OutboxOptions): Promise<Outbox> {
    if (!(options.budgetBytes > 0)) throw new TinyMLOpsError('INVALID_OPTION', 'Outbox: budgetBytes must be > 0');
    const outbox = new Outbox(dir, options);
    await outbox.recover();
    return outbox;
  }

  /** The next package sequence number (for `packageIdFor`); persisted with the next enqueue. */
  reserveSequence(): number {
    return this.ledger.nextSeq++;
  }

  /** Stores a package durably, applying the drop policy when the budget would be exceeded. */
  enqueue(pkg: BuiltPackage): Promise<EnqueueResult> {
    return this.serial(async () => {
      if (this.ledger.entries.has(pkg.packageId)) return { accepted: true, evicted: [] }; // idempotent
      const line = this.ledger.addLine(pkg.packageId, pkg.size, pkg.sha256, pkg.manifest.types, this.now());
      const victims = this.ledger.victimsFor(pkg.size, line.priority, this.options.budgetBytes);
      if (!victims) {
        this.ledger.countDrop(line.types, pkg.size);
        this.options.log?.warn('outbox: package dropped, over budget', { packageId: pkg.packageId, bytes: pkg.size });
        await this.journal.append(this.ledger.baseLine()); // persists the new dropped count
        return { accepted: false, evicted: [] };
      }
      for (const v of victims) await this.remove({ op: 'drop', id: v.packageId, reason: 'budget' });
      // File first, journal second: a crash in between leaves a file the journal never names,
      // which recovery deletes; the journal never names a file that is not complete.
      await writeFileAtomic(this.fileOf(pkg.packageId), pkg.archive);
      await this.journal.append(line);
      this.ledger.apply(line);
      return { accepted: true, evicted: victims.map((v) => v.packageId) };
    });
  }

  /** Waiting packages, most valuable first (priority descending), oldest first within a priority. */
  pending(): OutboxEntry[] {
    return this.ledger.pending();
  }

  /** The archive bytes of a waiting package. */
  async read(packageId: string): Promise<Buffer> {
    return readFile(this.fileOf(packageId));
  }

  /** The server has the package: forget it for good (journal first, so a crash cannot resurrect it). */
  ack(packageId: string): Promise<void> {
    return this.serial(() => this.remove({ op: 'ack', id: packageId }));
  }

  /** The server refused the package for good: keep a copy under `rejected/` and stop sending it. */
  reject(packageId: string, reason: string): Promise<void> {
    return this.serial(() => this.remove({ op: 'reject', id: packageId, reason }));
  }

  /** Sizes and counters, for heartbeats and `status`. */
  stats(): { bytes: number; packages: number; budgetBytes: number; dropped: DroppedCounts; rejected: number } {
    const { ledger } = this;
    const dropped = structuredClone(ledger.dropped);
    return {
      bytes: ledger.bytes(),
      packages: ledger.entries.size,
      budgetBytes: this.options.budgetBytes,
      dropped,
      rejected: ledger.rejected,
    };
  }

  /** Waits for running operations and closes the journal. */
  async close(): Promise<void> {
    await this.serial(() => this.journal.close());
  }

  private async recover(): Promise<void> {
    const layout = outboxLayout(this.dir);
    for (const sub of [layout.packages, layout.rejected]) await mkdir(sub, { recursive: true });
    const journalPath = layout.journal;
    const { lines, skipped } = await readJournal(journalPath);
    // A new outbox starts its sequence at the clock (ms), not 0: a device whose outbox was wiped
    // keeps its device id, and restarting at 0 would reuse package ids the server already holds
    // with other content (409 CONFLICT, i.e. lost packages).
    if (lines.length === 0) this.ledger.nextSeq = Math.max(0, Math.floor(this.now()));
    if (skipped > 0) this.options.log?.warn('outbox: ignored unreadable journal lines', { skipped });
    const rejectedIds = new Set<string>();
    for (const line of lines) if (this.ledger.apply(line) && line.op === 'reject') rejectedIds.add(line.id);
    await this.reconcileFiles(rejectedIds);
    this.journal = await Journal.open(journalPath);
    await this.journal.rewrite(this.ledger.compactLines());
  }

  /** Makes the folders match the journal: the journal is the truth, files are only payload. */
  private async reconcileFiles(rejectedIds: Set<string>): Promise<void> {
    const { packages, rejected } = outboxLayout(this.dir);
    for (const dir of [this.dir, packages]) {
      for (const name of await readdir(dir)) if (name.includes(TEMP_MARKER)) await rm(join(dir, name), { force: true });
    }
    const present = new Set<string>();
    for (const name of await readdir(packages)) {
      const id = name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : name;
      if (this.ledger.entries.has(id)) present.add(id);
      else if (rejectedIds.has(id)) await rename(join(packages, name), join(rejected, name));
      else await rm(join(packages, name), { force: true }); // acked, dropped, or never journaled
    }
    for (const entry of this.ledger.pending().filter((e) => !present.has(e.packageId))) {
      this.options.log?.warn('outbox: package file missing, counted as dropped', { packageId: entry.packageId });
      this.ledger.apply({ op: 'drop', id: entry.packageId, reason: 'missing' });
    }
  }

  /** Journals the removal, then removes the file (a crash in between is finished by recovery). */
  private async remove(line: JournalLine & { op: 'ack' | 'drop' | 'reject' }): Promise<void> {
    if (!this.ledger.entries.has(line.id)) return; // already gone: acks are idempotent
    await this.journal.append(line);
    this.ledger.apply(line);
    const file = this.fileOf(line.id);
    if (line.op === 'reject') await this.keepRejected(line.id);
    else await rm(file, { force: true });
    if (this.journal.deadLines >= (this.options.compactAfterDeadLines ?? 512))
      await this.journal.rewrite(this.ledger.compactLines());
  }

  /** Moves a rejected package to `rejected/`, keeping only the newest `maxRejectedFiles` there. */
  private async keepRejected(packageId: string): Promise<void> {
    const dir = outboxLayout(this.dir).rejected;
    await rename(this.fileOf(packageId), join(dir, packageId + SUFFIX)).catch(() => undefined);
    const names = await readdir(dir);
    const excess = names.length - (this.options.maxRejectedFiles ?? 100);
    if (excess <= 0) return;
    const aged = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n))).mtimeMs })));
    for (const { n } of aged.sort((a, b) => a.t - b.t).slice(0, excess)) await rm(join(dir, n), { force: true });
  }

  private fileOf(packageId: string): string {
    return join(outboxLayout(this.dir).packages, packageId + SUFFIX);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}
