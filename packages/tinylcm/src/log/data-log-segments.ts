import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** One segment file of a data log: the seq of its first record, its size and its images. */
export interface Segment {
  first: number;
  file: string;
  bytes: number;
  images: { file: string; bytes: number }[];
}

/** A stored record: the caller's fields plus `seq`, `at` (ISO time) and `image` (relative path) if kept. */
export type LoggedRecord = Record<string, unknown> & { seq: number; at: string; image?: string };

const SEG = /^(\d{12})\.jsonl$/;
const IMG = /^(\d{12})\.(jpg|png)$/;

/** A sequence number as the 12-digit file-name stem of its segment or image. */
export const padSeq = (seq: number): string => String(seq).padStart(12, '0');

/**
 * Rebuilds a log directory's segment index from disk (images belong to the segment whose seq range
 * holds theirs) and the sequence number to continue with: after everything seen in the newest
 * segment and never below the saved high-water mark (`next-seq.json`).
 * @example
 * const { segments, nextSeq } = recoverSegments('data/log');
 */
export function recoverSegments(dir: string): { segments: Segment[]; nextSeq: number } {
  const firsts = readdirSync(dir)
    .flatMap((f) => (SEG.test(f) ? [Number(f.slice(0, 12))] : []))
    .sort((a, b) => a - b);
  const images = readdirSync(path.join(dir, 'images'))
    .flatMap((f) => (IMG.test(f) ? [f] : []))
    .sort();
  const segments = firsts.map((first, i): Segment => {
    const end = firsts[i + 1] ?? Number.POSITIVE_INFINITY;
    const mine = images.filter((f) => Number(f.slice(0, 12)) >= first && Number(f.slice(0, 12)) < end);
    const file = `${padSeq(first)}.jsonl`;
    return {
      first,
      file,
      bytes: statSync(path.join(dir, file)).size,
      images: mine.map((f) => ({ file: `images/${f}`, bytes: statSync(path.join(dir, 'images', f)).size })),
    };
  });
  const saved = path.join(dir, 'next-seq.json');
  const fromFile = existsSync(saved)
    ? Number((JSON.parse(readFileSync(saved, 'utf8')) as { nextSeq: number }).nextSeq)
    : 0;
  const last = segments.at(-1);
  const fromLog = last ? Math.max(last.first, ...readSegment(path.join(dir, last.file)).map((r) => r.seq + 1)) : 0;
  return { segments, nextSeq: Math.max(Number.isFinite(fromFile) ? fromFile : 0, fromLog) };
}

/**
 * Parses a segment, skipping a torn or corrupt line (a crash mid-write).
 * @example
 * const records = readSegment('data/log/000000000000.jsonl');
 */
export function readSegment(file: string): LoggedRecord[] {
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
