import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'; // prettier-ignore
import path from 'node:path';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { writeFileAtomicSync } from '../sync/atomic-write.js';

/** An image attached to a record; kept only when sampled. */
export interface ImageAttachment {
  bytes: Uint8Array;
  ext: 'jpg' | 'png';
}

/** A stored record: the caller's fields plus `seq`, `at` (ISO time) and `image` (relative path) if kept. */
export type LoggedRecord = Record<string, unknown> & { seq: number; at: string; image?: string };

/** Options of {@link DataLogger}. */
export interface DataLoggerOptions {
  /** Directory owned by the logger (created if missing). */
  dir: string;
  /** Total bytes of segments and images kept (default 20 MiB); oldest segments go first. */
  budgetBytes?: number;
  /** A segment is closed once it reaches this size (default budget / 8). */
  segmentBytes?: number;
  /** Fraction of offered images kept, spread evenly (default 0.01). */
  imageSampleRate?: number;
  /** Wall clock, ms since the epoch (default `Date.now`). */
  now?: () => number;
}

interface Segment {
  first: number;
  file: string;
  bytes: number;
  images: { file: string; bytes: number }[];
}

const SEG = /^(\d{12})\.jsonl$/;
const IMG = /^(\d{12})\.(jpg|png)$/;
const pad = (seq: number) => String(seq).padStart(12, '0');

/**
 * Rotating JSONL data log with sampled images under a byte budget. Every record gets a per-device
 * sequence number that keeps increasing across restarts (high-water mark in `next-seq.json`, written
 * atomically at each rotation, and checked against the newest segment), so a sync that remembers
 * the last acknowledged `seq` never re-sends. A restart always opens a fresh segment, so a torn
 * last line from a crash is never appended to (readers skip it). Appends are synchronous writes
 * on an open descriptor: durable order, no background queue to lose.
 * @example
 * const log = new DataLogger({ dir: 'data/log', budgetBytes: 20e6, imageSampleRate: 0.05 });
 * log.append({ label: 'bag', confidence: 0.4 }, { bytes: jpeg, ext: 'jpg' });
 * const unsent = await log.readSince(lastAckedSeq);
 */
export class DataLogger {
  readonly dir: string;
  readonly budgetBytes: number;
  readonly segmentBytes: number;
  readonly imageSampleRate: number;
  readonly #now: () => number;
  readonly #segments: Segment[] = [];
  #fd = -1;
  #nextSeq = 0;
  #imageCredit = 0;

  constructor(options: DataLoggerOptions) {
    this.dir = options.dir;
    this.budgetBytes = options.budgetBytes ?? 20 * 2 ** 20;
    this.segmentBytes = options.segmentBytes ?? Math.floor(this.budgetBytes / 8);
    this.imageSampleRate = options.imageSampleRate ?? 0.01;
    this.#now = options.now ?? Date.now;
    const bad = (name: string, range: string, got: number) =>
      new TinyMLOpsError('INVALID_OPTION', `DataLogger: option "${name}" must be ${range}, got ${got}`);
    if (!(this.budgetBytes > 0)) throw bad('budgetBytes', '> 0', this.budgetBytes);
    if (!(this.segmentBytes > 0 && this.segmentBytes <= this.budgetBytes))
      throw bad('segmentBytes', 'in (0, budgetBytes]', this.segmentBytes);
    if (!(this.imageSampleRate >= 0 && this.imageSampleRate <= 1))
      throw bad('imageSampleRate', 'in [0, 1]', this.imageSampleRate);
    mkdirSync(path.join(this.dir, 'images'), { recursive: true });
    this.#recover();
  }

  /** The sequence number the next record will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Bytes currently kept (segments + images). */
  get usedBytes(): number {
    return this.#segments.reduce((s, g) => s + g.bytes + g.images.reduce((t, i) => t + i.bytes, 0), 0);
  }

  /**
   * Appends one record (and the image, if this one is sampled); returns its `seq`.
   * @example
   * const seq = log.append({ label: 'shirt', confidence: 0.97 });
   */
  append(fields: Record<string, unknown>, image?: ImageAttachment): number {
    if (this.#fd < 0) throw new TinyMLOpsError('INVALID_OPTION', 'DataLogger: append after close()');
    const seq = this.#nextSeq++;
    const current = this.#segments.at(-1) as Segment;
    const record: LoggedRecord = { ...fields, seq, at: new Date(this.#now()).toISOString() };
    if (image && this.#sampleImage()) {
      const file = `images/${pad(seq)}.${image.ext}`;
      writeFileSync(path.join(this.dir, file), image.bytes);
      current.images.push({ file, bytes: image.bytes.byteLength });
      record.image = file;
    }
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    writeSync(this.#fd, line);
    current.bytes += line.byteLength;
    if (current.bytes >= this.segmentBytes) this.#rotate();
    this.#enforceBudget();
    return seq;
  }

  /**
   * Records with `seq` > `after`, oldest first, at most `limit`. Records evicted by the budget are gone.
   * @example
   * for (const r of await log.readSince(-1)) console.log(r.seq);
   */
  async readSince(after: number, limit = Number.POSITIVE_INFINITY): Promise<LoggedRecord[]> {
    const out: LoggedRecord[] = [];
    for (const [i, seg] of this.#segments.entries()) {
      const nextFirst = this.#segments[i + 1]?.first ?? Number.POSITIVE_INFINITY;
      if (nextFirst <= after + 1) continue;
      for (const r of readSegment(path.join(this.dir, seg.file))) {
        if (r.seq > after) out.push(r);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  /** Closes the current segment; the next instance continues the sequence. */
  close(): void {
    if (this.#fd < 0) return;
    closeSync(this.#fd);
    this.#fd = -1;
    this.#saveNextSeq();
  }

  #sampleImage(): boolean {
    // Deterministic even spreading: keeps exactly ⌊n·rate⌋ of n offered images, no PRNG needed.
    this.#imageCredit += this.imageSampleRate;
    if (this.#imageCredit < 1) return false;
    this.#imageCredit -= 1;
    return true;
  }

  #rotate(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#saveNextSeq();
    const file = `${pad(this.#nextSeq)}.jsonl`;
    // A segment that never got a record (closed right after rotating) is reopened, not listed twice.
    if (this.#segments.at(-1)?.first === this.#nextSeq) this.#segments.pop();
    this.#fd = openSync(path.join(this.dir, file), 'a');
    this.#segments.push({ first: this.#nextSeq, file, bytes: fstatSync(this.#fd).size, images: [] });
  }

  #enforceBudget(): void {
    while (this.#segments.length > 1 && this.usedBytes > this.budgetBytes) {
      const oldest = this.#segments.shift() as Segment;
      for (const img of oldest.images) unlinkSync(path.join(this.dir, img.file));
      unlinkSync(path.join(this.dir, oldest.file));
    }
  }

  #saveNextSeq(): void {
    const file = path.join(this.dir, 'next-seq.json');
    writeFileAtomicSync(file, JSON.stringify({ nextSeq: this.#nextSeq }));
  }

  /** Rebuilds the segment index from disk and continues the sequence after everything seen. */
  #recover(): void {
    const firsts = readdirSync(this.dir)
      .flatMap((f) => (SEG.test(f) ? [Number(f.slice(0, 12))] : []))
      .sort((a, b) => a - b);
    const images = readdirSync(path.join(this.dir, 'images'))
      .flatMap((f) => (IMG.test(f) ? [f] : []))
      .sort();
    firsts.forEach((first, i) => {
      const end = firsts[i + 1] ?? Number.POSITIVE_INFINITY;
      const mine = images.filter((f) => Number(f.slice(0, 12)) >= first && Number(f.slice(0, 12)) < end);
      const file = `${pad(first)}.jsonl`;
      this.#segments.push({
        first,
        file,
        bytes: statSync(path.join(this.dir, file)).size,
        images: mine.map((f) => ({ file: `images/${f}`, bytes: statSync(path.join(this.dir, 'images', f)).size })),
      });
    });
    const saved = path.join(this.dir, 'next-seq.json');
    const fromFile = existsSync(saved)
      ? Number((JSON.parse(readFileSync(saved, 'utf8')) as { nextSeq: number }).nextSeq)
      : 0;
    const last = this.#segments.at(-1);
    const fromLog = last
      ? Math.max(last.first, ...readSegment(path.join(this.dir, last.file)).map((r) => r.seq + 1))
      : 0;
    this.#nextSeq = Math.max(Number.isFinite(fromFile) ? fromFile : 0, fromLog);
    this.#rotate();
  }
}

/** Parses a segment, skipping a torn or corrupt line (a crash mid-write). */
function readSegment(file: string): LoggedRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const r = JSON.parse(line) as LoggedRecord;
        return typeof r.seq === 'number' ? [r] : [];
      } catch {
        return [];
      }
    });
}
