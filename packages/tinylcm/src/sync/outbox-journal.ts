import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { PackageType } from '@tinymlops/contracts';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.js';

/** What the outbox has dropped since it was created, carried across journal compactions. */
export const DroppedCounts = z.strictObject({
  packages: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  byType: z.partialRecord(PackageType, z.number().int().nonnegative()),
});
export type DroppedCounts = z.infer<typeof DroppedCounts>;

const AddLine = z.strictObject({
  op: z.literal('add'),
  id: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  priority: z.number().int(),
  types: z.array(PackageType).min(1),
  at: z.number(),
  /** The outbox's sequence counter when this package was added: restores `reserveSequence`. */
  nextSeq: z.number().int().nonnegative(),
});
export type AddLine = z.infer<typeof AddLine>;

/** One line of `journal.ndjson` (a local file format, not a wire shape). */
export const JournalLine = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('base'),
    nextSeq: z.number().int().nonnegative(),
    dropped: DroppedCounts,
    rejected: z.number().int().nonnegative(),
  }),
  AddLine,
  z.strictObject({ op: z.literal('ack'), id: z.string() }),
  z.strictObject({ op: z.literal('drop'), id: z.string(), reason: z.string() }),
  z.strictObject({ op: z.literal('reject'), id: z.string(), reason: z.string() }),
]);
export type JournalLine = z.infer<typeof JournalLine>;

/** The journal as read from disk. */
export interface JournalContents {
  lines: JournalLine[];
  /** Lines that could not be parsed (a torn last line after a crash is the expected case). */
  skipped: number;
}

/**
 * Reads the journal. A torn last line (the process died mid-append) is ignored and cut off the
 * file, so the next append starts on a fresh line instead of gluing onto the fragment.
 * @example
 * const { lines } = await readJournal('/var/lib/tinylcm/outbox/journal.ndjson');
 */
export async function readJournal(path: string): Promise<JournalContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], skipped: 0 };
    throw err;
  }
  const complete = text.lastIndexOf('\n') + 1;
  let skipped = 0;
  if (complete < text.length) {
    skipped += 1;
    await truncate(path, Buffer.byteLength(text.slice(0, complete)));
  }
  const lines: JournalLine[] = [];
  for (const raw of text.slice(0, complete).split('\n')) {
    if (raw === '') continue;
    const parsed = safeJson(raw);
    const line = JournalLine.safeParse(parsed);
    if (line.success) lines.push(line.data);
    else skipped += 1;
  }
  return { lines, skipped };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * The append side of the journal: every line is written and fsync'd before the operation it
 * records is considered done.
 * @example
 * const journal = await Journal.open(path);
 * await journal.append({ op: 'ack', id: 'pkg_dev_0001_0000000001' });
 */
export class Journal {
  private constructor(
    private readonly path: string,
    private handle: FileHandle,
    /** Lines that describe packages no longer in the outbox; compaction removes them. */
    public deadLines: number,
  ) {}

  /** Opens (creating if needed) the journal at `path` for appending. */
  static async open(path: string, deadLines = 0): Promise<Journal> {
    return new Journal(path, await open(path, 'a', 0o644), deadLines);
  }

  /** Appends one line and waits until it is on disk. */
  async append(line: JournalLine): Promise<void> {
    await this.handle.write(`${JSON.stringify(line)}\n`);
    await this.handle.sync();
    if (line.op !== 'add') this.deadLines += 2; // the line itself and the add line it closes
  }

  /** Atomically replaces the journal by `lines` (a base line plus the live adds). */
  async rewrite(lines: readonly JournalLine[]): Promise<void> {
    await this.handle.close();
    await writeFileAtomic(this.path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    this.handle = await open(this.path, 'a', 0o644);
    this.deadLines = 0;
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}
