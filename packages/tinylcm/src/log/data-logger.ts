import { closeSync, fstatSync, mkdirSync, openSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { writeFileAtomicSync } from '../sync/atomic-write.js';
import { padSeq, readSegment, recoverSegments, type LoggedRecord, type Segment } from './data-log-segments.js';
import { flushAtExit } from './flush-at-exit.js';
import { deferredLine, isObjectText, recordLine, type Pending } from './pending-record.js';

export type { LoggedRecord } from './data-log-segments.js';

/** An image attached to a record; kept only when sampled. */
export interface ImageAttachment {
  bytes: Uint8Array;
  ext: 'jpg' | 'png';
}

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
  /**
   * Longest time a record waits in memory before it is written, ms (default 1000). 0 writes every
   * record as it is appended (one write per record, on the caller's time).
   */
  flushIntervalMs?: number;
  /** Records waiting in memory are written at once when they reach this many characters (default 64 Ki). */
  bufferChars?: number;
  /** …or this many records (default 256; bounds records whose text is built at write time). */
  bufferRecords?: number;
  /** Wall clock, ms since the epoch (default `Date.now`). */
  now?: () => number;
}

/**
 * Rotating JSONL data log with sampled images under a byte budget. Every record gets a per-device
 * sequence number that keeps increasing across restarts (high-water mark in `next-seq.json`, written
 * atomically at each rotation, and checked against the newest segment), so a sync that remembers
 * the last acknowledged `seq` never re-sends. A restart always opens a fresh segment, so a torn
 * last line from a crash is never appended to (readers skip it).
 *
 * `append` only serialises the record (`appendDeferred` not even that: its text is built at the
 * write): records are written in batches, off the frame path, when `flushIntervalMs` has passed
 * since the oldest waiting one, when `bufferChars` or `bufferRecords` are waiting, before
 * `readSince`, on `flush()`, on `close()` and when the process exits (`process.exit`, the end of
 * the event loop, an uncaught exception) — a clean stop loses nothing. A crash that skips exit
 * handlers (SIGKILL, an unhandled signal, a native fault, power loss) loses the records still
 * waiting: at most `flushIntervalMs` worth, at most `bufferChars` and `bufferRecords`. Their sequence numbers were
 * never written or read, so the restarted log may hand them out again (an image already written
 * for a lost record stays, counted in the budget, until its segment is evicted). Written records are in the OS
 * page cache (not fsynced), as before batching: they survive a process crash, not a power cut.
 * A write that fails in the background is thrown by the next `append`; its records stay queued
 * for the next attempt.
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
  readonly flushIntervalMs: number;
  readonly bufferChars: number;
  readonly bufferRecords: number;
  readonly #now: () => number;
  readonly #segments: Segment[];
  #pending: Pending[] = [];
  #pendingChars = 0;
  #timer: NodeJS.Timeout | undefined;
  #deferredError: unknown;
  #fd = -1;
  #nextSeq: number;
  #imageCredit = 0;

  constructor(options: DataLoggerOptions) {
    this.dir = options.dir;
    this.budgetBytes = options.budgetBytes ?? 20 * 2 ** 20;
    this.segmentBytes = options.segmentBytes ?? Math.floor(this.budgetBytes / 8);
    this.imageSampleRate = options.imageSampleRate ?? 0.01;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.bufferChars = options.bufferChars ?? 64 * 1024;
    this.bufferRecords = options.bufferRecords ?? 256;
    this.#now = options.now ?? Date.now;
    const bad = (name: string, range: string, got: number) =>
      new TinyMLOpsError('INVALID_OPTION', `DataLogger: option "${name}" must be ${range}, got ${got}`);
    if (!(this.budgetBytes > 0)) throw bad('budgetBytes', '> 0', this.budgetBytes);
    if (!(this.segmentBytes > 0 && this.segmentBytes <= this.budgetBytes))
      throw bad('segmentBytes', 'in (0, budgetBytes]', this.segmentBytes);
    if (!(this.imageSampleRate >= 0 && this.imageSampleRate <= 1))
      throw bad('imageSampleRate', 'in [0, 1]', this.imageSampleRate);
    if (!(this.flushIntervalMs >= 0 && this.flushIntervalMs <= 2 ** 31 - 1))
      throw bad('flushIntervalMs', 'in [0, 2^31 − 1]', this.flushIntervalMs);
    if (!(this.bufferChars >= 1)) throw bad('bufferChars', '≥ 1', this.bufferChars);
    if (!(this.bufferRecords >= 1)) throw bad('bufferRecords', '≥ 1', this.bufferRecords);
    mkdirSync(path.join(this.dir, 'images'), { recursive: true });
    ({ segments: this.#segments, nextSeq: this.#nextSeq } = recoverSegments(this.dir));
    this.#rotate();
  }

  /** The sequence number the next record will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Records appended but not written yet. */
  get pendingRecords(): number {
    return this.#pending.length;
  }

  /** Bytes currently kept on disk (segments + images); records still waiting are not counted. */
  get usedBytes(): number {
    return this.#segments.reduce((s, g) => s + g.bytes + g.images.reduce((t, i) => t + i.bytes, 0), 0);
  }

  /**
   * Appends one record (and the image, if this one is sampled: written now, since the caller may
   * reuse its buffer); returns its `seq`. The record is serialised now and written later.
   * @example
   * const seq = log.append({ label: 'shirt', confidence: 0.97 });
   */
  append(fields: Record<string, unknown>, image?: ImageAttachment): number {
    return this.appendJson(JSON.stringify(fields), image);
  }

  /**
   * {@link append} for a record already serialised: `json` is the JSON text of an object (its
   * fields); `seq`, `at` and `image` are added before its closing brace. The frame path uses it to
   * skip building and walking an object per frame.
   * @example
   * const seq = log.appendJson('{"label":"shirt","confidence":0.97}');
   */
  appendJson(json: string, image?: ImageAttachment): number {
    if (!isObjectText(json))
      throw new TinyMLOpsError('VALIDATION_FAILED', 'DataLogger: a record must be a JSON object');
    const { seq, kept } = this.#next(image);
    const line = recordLine(json, seq, this.#now(), kept);
    this.#pendingChars += line.length;
    return this.#queue({ line, deferred: undefined, image: kept }, seq);
  }

  /**
   * {@link appendJson} with the text built at the write (the next batch) instead of now: right
   * after inference the caches are cold, and building it there cost several times what it costs
   * in a batch. What `json` reads must not change until then; `seq` and `at` are taken now. A
   * `json` that throws or returns no JSON object is logged as `{"logError": message}`.
   * @example
   * const seq = log.appendDeferred(() => frameRecordJson(result, false, latencyMs));
   */
  appendDeferred(json: () => string, image?: ImageAttachment): number {
    const { seq, kept } = this.#next(image);
    return this.#queue({ line: undefined, deferred: { json, seq, at: this.#now() }, image: kept }, seq);
  }

  /** The next record's seq, and its image if this one is kept (written now: the caller may reuse it). */
  #next(image: ImageAttachment | undefined): { seq: number; kept: Pending['image'] } {
    if (this.#fd < 0) throw new TinyMLOpsError('INVALID_OPTION', 'DataLogger: append after close()');
    this.#throwDeferred();
    const seq = this.#nextSeq++;
    if (!image || !this.#sampleImage()) return { seq, kept: undefined };
    const kept = { file: `images/${padSeq(seq)}.${image.ext}`, bytes: image.bytes.byteLength };
    writeFileSync(path.join(this.dir, kept.file), image.bytes);
    return { seq, kept };
  }

  #queue(p: Pending, seq: number): number {
    this.#pending.push(p);
    const full = this.#pendingChars >= this.bufferChars || this.#pending.length >= this.bufferRecords;
    if (this.flushIntervalMs === 0 || full) this.flush();
    else this.#schedule();
    return seq;
  }

  /**
   * Writes every waiting record now (segment by segment, rotating and enforcing the budget as it
   * goes). Throws the error of a failed write; unwritten records stay queued for the next attempt.
   * @example
   * log.flush(); // e.g. before handing the directory to another process
   */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#pending.length > 0) this.#writeChunk();
    flushAtExit.delete(this);
  }

  /**
   * Records with `seq` > `after`, oldest first, at most `limit`. Records evicted by the budget are gone.
   * @example
   * for (const r of await log.readSince(-1)) console.log(r.seq);
   */
  async readSince(after: number, limit = Number.POSITIVE_INFINITY): Promise<LoggedRecord[]> {
    if (this.#fd >= 0) this.flush();
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

  /** Writes what is waiting and closes the current segment; the next instance continues the sequence. */
  close(): void {
    if (this.#fd < 0) return;
    this.flush();
    closeSync(this.#fd);
    this.#fd = -1;
    this.#saveNextSeq();
  }

  #schedule(): void {
    flushAtExit.add(this);
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      try {
        this.flush();
      } catch (e) {
        this.#deferredError = e; // thrown by the next append; the records stay queued
      }
    }, this.flushIntervalMs);
    this.#timer.unref(); // a waiting record must not keep the process alive: the exit hook writes it
  }

  #throwDeferred(): void {
    const e = this.#deferredError;
    if (e === undefined) return;
    this.#deferredError = undefined;
    throw e;
  }

  /** Writes the waiting records that fit in the current segment in one write; rotates when it is full. */
  #writeChunk(): void {
    if ((this.#segments.at(-1) as Segment).bytes >= this.segmentBytes) this.#rotate(); // an earlier rotation failed
    const current = this.#segments.at(-1) as Segment;
    let bytes = current.bytes;
    let n = 0;
    const lines: string[] = [];
    while (n < this.#pending.length && bytes < this.segmentBytes) {
      const p = this.#pending[n++] as Pending;
      p.line ??= deferredLine(p);
      lines.push(p.line);
      bytes += Buffer.byteLength(p.line);
    }
    const chunk = Buffer.from(lines.join(''));
    writeSync(this.#fd, chunk);
    for (const p of this.#pending.splice(0, n)) {
      if (!p.deferred) this.#pendingChars -= (p.line as string).length;
      if (p.image) current.images.push(p.image);
    }
    current.bytes += chunk.byteLength;
    if (current.bytes >= this.segmentBytes) this.#rotate();
    this.#enforceBudget();
  }

  #sampleImage(): boolean {
    // Deterministic even spreading: keeps exactly ⌊n·rate⌋ of n offered images, no PRNG needed.
    this.#imageCredit += this.imageSampleRate;
    if (this.#imageCredit < 1) return false;
    this.#imageCredit -= 1;
    return true;
  }

  /** Opens the next segment; if any step fails, the current one stays open and in use. */
  #rotate(): void {
    this.#saveNextSeq();
    // Named for its first record: the first one still waiting (recovery and readSince rely on it).
    const first = this.#nextSeq - this.#pending.length;
    const file = `${padSeq(first)}.jsonl`;
    const fd = openSync(path.join(this.dir, file), 'a');
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = fd;
    // A segment that never got a record (closed right after rotating) is reopened, not listed twice.
    if (this.#segments.at(-1)?.first === first) this.#segments.pop();
    this.#segments.push({ first, file, bytes: fstatSync(fd).size, images: [] });
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
}
