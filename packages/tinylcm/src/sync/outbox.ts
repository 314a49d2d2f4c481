import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TinyMLOpsError, type PackageType } from '@tinymlops/contracts';
import { TEMP_MARKER, writeFileAtomic } from './atomic-write.js';
import { Journal, readJournal, type AddLine, type DroppedCounts, type JournalLine } from './outbox-journal.js';
import type { BuiltPackage } from './package-builder.js';
import type { SyncLogger } from './sync-logger.js';

/** Drop priority per type: higher survives longer. Drift samples are the rarest and most valuable data. */
export const PACKAGE_PRIORITIES = {
  'drift-events': 3,
  'state-snapshot': 2,
  'adaptation-events': 2,
  metrics: 1,
  logs: 1,
  'prediction-samples': 1,
} as const satisfies Record<PackageType, number>;

/** A package waiting in the outbox. */
export interface OutboxEntry {
  packageId: string;
  bytes: number;
  sha256: string;
  priority: number;
  types: PackageType[];
  /** Clock time (ms) when it was enqueued. */
  enqueuedAt: number;
  /** Enqueue order, the tie-breaker within a priority. */
  order: number;
}

/** Options of {@link Outbox.open}. */
export interface OutboxOptions {
  /** Most bytes of package files kept on disk; beyond it the drop policy applies. */
  budgetBytes: number;
  now?: () => number;
  log?: SyncLogger;
  /** Compact the journal once this many of its lines describe gone packages (default 512). */
  compactAfterDeadLines?: number;
}

/** What {@link Outbox.enqueue} did. */
export interface EnqueueResult {
  accepted: boolean;
  /** Ids of older packages dropped to make room. */
  evicted: string[];
}

const SUFFIX = '.tar.gz';

/**
 * The on-disk outbox: package files plus an append-only, fsync'd journal (see docs/sync.md).
 * Durable once `enqueue` resolves; survives crashes at any point; bounded by a byte budget.
 * @example
 * const outbox = await Outbox.open('/var/lib/tinylcm/outbox', { budgetBytes: 50 * 1024 * 1024 });
 * await outbox.enqueue(await buildPackage({ packageId: packageIdFor(deviceId, outbox.reserveSequence()), ... }));
 * for (const entry of outbox.pending()) { ...upload...; await outbox.ack(entry.packageId); }
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private dropped: DroppedCounts = { packages: 0, bytes: 0, byType: {} };
  private rejected = 0;
  private nextSeq = 0;
  private order = 0;
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
    return this.nextSeq++;
  }

  /** Stores a package durably, applying the drop policy when the budget would be exceeded. */
  enqueue(pkg: BuiltPackage): Promise<EnqueueResult> {
    return this.serial(async () => {
      if (this.entries.has(pkg.packageId)) return { accepted: true, evicted: [] }; // idempotent
      const types = pkg.manifest.types;
      const priority = Math.max(...types.map((t) => PACKAGE_PRIORITIES[t]));
      const victims = this.victimsFor(pkg.size, priority);
      if (!victims) {
        this.countDrop(types, pkg.size);
        this.options.log?.warn('outbox: package dropped, over budget', { packageId: pkg.packageId, bytes: pkg.size });
        await this.journal.append(this.baseLine()); // persists the new dropped count
        return { accepted: false, evicted: [] };
      }
      for (const v of victims) await this.remove(v, { op: 'drop', id: v.packageId, reason: 'budget' });
      await writeFileAtomic(this.fileOf(pkg.packageId), pkg.archive);
      const line: AddLine = {
        op: 'add',
        id: pkg.packageId,
        bytes: pkg.size,
        sha256: pkg.sha256,
        priority,
        types,
        at: this.now(),
        nextSeq: this.nextSeq,
      };
      await this.journal.append(line);
      this.addEntry(line);
      return { accepted: true, evicted: victims.map((v) => v.packageId) };
    });
  }

  /** Waiting packages, most valuable first (priority descending), oldest first within a priority. */
  pending(): OutboxEntry[] {
    return [...this.entries.values()].sort((a, b) => b.priority - a.priority || a.order - b.order);
  }

  /** The archive bytes of a waiting package. */
  async read(packageId: string): Promise<Buffer> {
    return readFile(this.fileOf(packageId));
  }

  /** The server has the package: forget it for good (journal first, so a crash cannot resurrect it). */
  ack(packageId: string): Promise<void> {
    return this.serial(async () => {
      const entry = this.entries.get(packageId);
      if (entry) await this.remove(entry, { op: 'ack', id: packageId });
    });
  }

  /** The server refused the package for good: keep a copy under `rejected/` and stop sending it. */
  reject(packageId: string, reason: string): Promise<void> {
    return this.serial(async () => {
      const entry = this.entries.get(packageId);
      if (!entry) return;
      await this.journal.append({ op: 'reject', id: packageId, reason });
      this.entries.delete(packageId);
      this.rejected += 1;
      await rename(this.fileOf(packageId), join(this.dir, 'rejected', packageId + SUFFIX)).catch(() => undefined);
      await this.maybeCompact();
    });
  }

  /** Sizes and counters, for heartbeats and `status`. */
  stats(): { bytes: number; packages: number; budgetBytes: number; dropped: DroppedCounts; rejected: number } {
    const bytes = [...this.entries.values()].reduce((n, e) => n + e.bytes, 0);
    const dropped = structuredClone(this.dropped);
    return {
      bytes,
      packages: this.entries.size,
      budgetBytes: this.options.budgetBytes,
      dropped,
      rejected: this.rejected,
    };
  }

  /** Waits for running operations and closes the journal. */
  async close(): Promise<void> {
    await this.serial(() => this.journal.close());
  }

  private async recover(): Promise<void> {
    for (const sub of ['packages', 'rejected']) await mkdir(join(this.dir, sub), { recursive: true });
    const journalPath = join(this.dir, 'journal.ndjson');
    const { lines, skipped } = await readJournal(journalPath);
    if (skipped > 0) this.options.log?.warn('outbox: ignored unreadable journal lines', { skipped });
    const rejectedIds = new Set<string>();
    for (const line of lines) this.replay(line, rejectedIds);
    await this.reconcileFiles(rejectedIds);
    this.journal = await Journal.open(journalPath);
    await this.journal.rewrite(this.compactLines());
  }

  private replay(line: JournalLine, rejectedIds: Set<string>): void {
    if (line.op === 'base') {
      this.dropped = line.dropped;
      this.rejected = line.rejected;
      this.nextSeq = Math.max(this.nextSeq, line.nextSeq);
    } else if (line.op === 'add') {
      this.addEntry(line);
    } else {
      const entry = this.entries.get(line.id);
      this.entries.delete(line.id);
      if (line.op === 'drop' && entry) this.countDrop(entry.types, entry.bytes);
      if (line.op === 'reject' && entry) {
        this.rejected += 1;
        rejectedIds.add(line.id);
      }
    }
  }

  /** Makes the folders match the journal: the journal is the truth, files are only payload. */
  private async reconcileFiles(rejectedIds: Set<string>): Promise<void> {
    const packages = join(this.dir, 'packages');
    const present = new Set<string>();
    for (const dir of [this.dir, packages]) {
      for (const name of await readdir(dir)) if (name.includes(TEMP_MARKER)) await rm(join(dir, name), { force: true });
    }
    for (const name of await readdir(packages)) {
      const id = name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : name;
      if (this.entries.has(id)) present.add(id);
      else if (rejectedIds.has(id)) await rename(join(packages, name), join(this.dir, 'rejected', name));
      else await rm(join(packages, name), { force: true }); // acked, dropped, or never journaled
    }
    for (const entry of [...this.entries.values()].filter((e) => !present.has(e.packageId))) {
      this.options.log?.warn('outbox: package file missing, counted as dropped', { packageId: entry.packageId });
      this.entries.delete(entry.packageId);
      this.countDrop(entry.types, entry.bytes);
    }
  }

  /** Packages to evict so `bytes` fits, or undefined when the incoming package must be dropped itself. */
  private victimsFor(bytes: number, priority: number): OutboxEntry[] | undefined {
    let used = [...this.entries.values()].reduce((n, e) => n + e.bytes, 0);
    if (bytes > this.options.budgetBytes) return undefined;
    const victims: OutboxEntry[] = [];
    const candidates = [...this.entries.values()].sort((a, b) => a.priority - b.priority || a.order - b.order);
    for (const c of candidates) {
      if (used + bytes <= this.options.budgetBytes) break;
      if (c.priority > priority) return undefined; // never evict more valuable data for less valuable
      victims.push(c);
      used -= c.bytes;
    }
    return used + bytes <= this.options.budgetBytes ? victims : undefined;
  }

  private async remove(entry: OutboxEntry, line: JournalLine): Promise<void> {
    await this.journal.append(line);
    this.entries.delete(entry.packageId);
    if (line.op === 'drop') this.countDrop(entry.types, entry.bytes);
    await rm(this.fileOf(entry.packageId), { force: true });
    await this.maybeCompact();
  }

  private async maybeCompact(): Promise<void> {
    if (this.journal.deadLines >= (this.options.compactAfterDeadLines ?? 512))
      await this.journal.rewrite(this.compactLines());
  }

  private compactLines(): JournalLine[] {
    const adds = this.pending().sort((a, b) => a.order - b.order);
    return [
      this.baseLine(),
      ...adds.map((e): JournalLine => ({
        op: 'add',
        id: e.packageId,
        bytes: e.bytes,
        sha256: e.sha256,
        priority: e.priority,
        types: e.types,
        at: e.enqueuedAt,
        nextSeq: this.nextSeq,
      })),
    ];
  }

  private baseLine(): JournalLine {
    return { op: 'base', nextSeq: this.nextSeq, dropped: structuredClone(this.dropped), rejected: this.rejected };
  }

  private addEntry(line: AddLine): void {
    this.nextSeq = Math.max(this.nextSeq, line.nextSeq);
    const entry = {
      packageId: line.id,
      bytes: line.bytes,
      sha256: line.sha256,
      priority: line.priority,
      types: line.types,
      enqueuedAt: line.at,
      order: this.order++,
    };
    this.entries.set(line.id, entry);
  }

  private countDrop(types: readonly PackageType[], bytes: number): void {
    this.dropped.packages += 1;
    this.dropped.bytes += bytes;
    for (const t of types) this.dropped.byType[t] = (this.dropped.byType[t] ?? 0) + 1;
  }

  private fileOf(packageId: string): string {
    return join(this.dir, 'packages', packageId + SUFFIX);
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
