import type { PackageType } from '@tinymlops/contracts';
import type { AddLine, DroppedCounts, JournalLine } from './outbox-journal.js';

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

/**
 * The outbox's bookkeeping without any I/O: live entries, drop counts, the package sequence, and
 * the drop policy. The journal is a log of calls to this ledger; replaying it rebuilds the ledger.
 * @example
 * const ledger = new OutboxLedger();
 * for (const line of (await readJournal(path)).lines) ledger.apply(line);
 */
export class OutboxLedger {
  readonly entries = new Map<string, OutboxEntry>();
  dropped: DroppedCounts = { packages: 0, bytes: 0, byType: {} };
  rejected = 0;
  nextSeq = 0;
  private order = 0;

  /** Applies one journal line; returns the entry it removed, if any. */
  apply(line: JournalLine): OutboxEntry | undefined {
    if (line.op === 'base') {
      this.dropped = structuredClone(line.dropped);
      this.rejected = line.rejected;
      this.nextSeq = Math.max(this.nextSeq, line.nextSeq);
      return undefined;
    }
    if (line.op === 'add') {
      this.nextSeq = Math.max(this.nextSeq, line.nextSeq);
      const { id, bytes, sha256, priority, types, at } = line;
      this.entries.set(id, { packageId: id, bytes, sha256, priority, types, enqueuedAt: at, order: this.order++ });
      return undefined;
    }
    const entry = this.entries.get(line.id);
    if (!entry) return undefined;
    this.entries.delete(line.id);
    if (line.op === 'drop') this.countDrop(entry.types, entry.bytes);
    if (line.op === 'reject') this.rejected += 1;
    return entry;
  }

  /** Waiting packages, most valuable first, oldest first within a priority. */
  pending(): OutboxEntry[] {
    return [...this.entries.values()].sort((a, b) => b.priority - a.priority || a.order - b.order);
  }

  /** Bytes of all waiting packages. */
  bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.bytes;
    return n;
  }

  /**
   * The drop policy: packages to evict so `bytes` more fit in `budget`, least valuable and oldest
   * first; undefined when the incoming package must be dropped itself (it is larger than the
   * budget, or fitting it would evict more valuable data).
   */
  victimsFor(bytes: number, priority: number, budget: number): OutboxEntry[] | undefined {
    if (bytes > budget) return undefined;
    let used = this.bytes();
    const victims: OutboxEntry[] = [];
    const candidates = [...this.entries.values()].sort((a, b) => a.priority - b.priority || a.order - b.order);
    for (const c of candidates) {
      if (used + bytes <= budget) break;
      if (c.priority > priority) return undefined;
      victims.push(c);
      used -= c.bytes;
    }
    return used + bytes <= budget ? victims : undefined;
  }

  /** Counts a dropped package, once per type it carried. */
  countDrop(types: readonly PackageType[], bytes: number): void {
    this.dropped.packages += 1;
    this.dropped.bytes += bytes;
    for (const t of types) this.dropped.byType[t] = (this.dropped.byType[t] ?? 0) + 1;
  }

  /** The add line of a new package, with the priority the drop policy uses. */
  addLine(packageId: string, bytes: number, sha256: string, types: PackageType[], at: number): AddLine {
    const priority = Math.max(...types.map((t) => PACKAGE_PRIORITIES[t]));
    return { op: 'add', id: packageId, bytes, sha256, priority, types, at, nextSeq: this.nextSeq };
  }

  /** The shortest journal that rebuilds this ledger: a base line, then the live packages in order. */
  compactLines(): JournalLine[] {
    const adds = [...this.entries.values()].sort((a, b) => a.order - b.order);
    return [this.baseLine(), ...adds.map((e) => this.addLine(e.packageId, e.bytes, e.sha256, e.types, e.enqueuedAt))];
  }

  /** A line recording the counters (drops, rejects, sequence) as they are now. */
  baseLine(): JournalLine {
    return { op: 'base', nextSeq: this.nextSeq, dropped: structuredClone(this.dropped), rejected: this.rejected };
  }
}
