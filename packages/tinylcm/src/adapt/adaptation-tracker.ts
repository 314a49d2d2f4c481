import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { AdaptationEvent, parseOrThrow } from '@tinymlops/contracts';

/** An adaptation event before the tracker numbers it. */
export type AdaptationEventInput = Omit<AdaptationEvent, 'seq'>;

/**
 * Append-only JSONL journal of adaptation events, one validated event per line with a
 * strictly increasing `seq`. Appends are O(1) (the prototype rewrote its whole events file per
 * event). Sync uploads `readSince(lastAcknowledgedSeq)`. A line torn by a crash is cut off when the
 * journal is opened, so the file always parses.
 *
 * @example
 * const tracker = new AdaptationTracker({ path: './data/adaptation.jsonl' });
 * tracker.record({ at: new Date().toISOString(), action: 'snapshot', samples: 0,
 *   stateVersionBefore: 1, stateVersionAfter: 1, reason: 'boot' });
 * tracker.readSince(0); // [{ seq: 1, … }]
 */
export class AdaptationTracker {
  readonly path: string;
  #lastSeq: number;

  constructor(options: { path: string }) {
    this.path = options.path;
    mkdirSync(dirname(this.path), { recursive: true });
    this.#lastSeq = this.#recover();
  }

  /** The seq of the newest event (0 when empty). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Numbers, validates and durably appends an event; returns it with its seq. */
  record(input: AdaptationEventInput): AdaptationEvent {
    const event = parseOrThrow(AdaptationEvent, { seq: this.#lastSeq + 1, ...input }, 'adaptation event');
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, `${JSON.stringify(event)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#lastSeq = event.seq;
    return event;
  }

  /** Events with `seq > after`, oldest first. */
  readSince(after: number): AdaptationEvent[] {
    return this.#readAll().filter((e) => e.seq > after);
  }

  #readAll(): AdaptationEvent[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => AdaptationEvent.parse(JSON.parse(l)));
  }

  #recover(): number {
    if (!existsSync(this.path)) return 0;
    const text = readFileSync(this.path, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    // Everything after the last newline is an append a crash interrupted: it was never recorded.
    if (end < text.length) truncateSync(this.path, Buffer.byteLength(text.slice(0, end)));
    return this.#readAll().at(-1)?.seq ?? 0;
  }
}
