import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DataLogger } from './data-logger.js';

const dirs: string[] = [];
const fresh = () => dirs[dirs.push(mkdtempSync(path.join(tmpdir(), 'tinylcm-log-'))) - 1] as string;
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const now = () => Date.UTC(2026, 10, 26, 12);
const jpeg = { bytes: new Uint8Array(100).fill(7), ext: 'jpg' as const };

describe('DataLogger', () => {
  it('numbers records from 0 and continues the sequence after a clean restart', async () => {
    const dir = fresh();
    const a = new DataLogger({ dir, now });
    expect([a.append({ n: 1 }), a.append({ n: 2 })]).toEqual([0, 1]);
    a.close();
    const b = new DataLogger({ dir, now });
    expect(b.append({ n: 3 })).toBe(2);
    const all = await b.readSince(-1);
    expect(all.map((r) => [r.seq, r['n']])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(all[0]?.at).toBe('2026-11-26T12:00:00.000Z');
  });

  it('appendJson adds seq, at and a kept image to serialised records, as append does to objects', async () => {
    const dir = fresh();
    const log = new DataLogger({ dir, now, imageSampleRate: 1 });
    log.appendJson('{}');
    log.appendJson('{"label":"bag","x":[1,2]}', jpeg);
    log.append({ label: 'bag', x: [1, 2] }, jpeg);
    expect(() => log.appendJson('[1]')).toThrow(/JSON object/);
    log.flush();
    const lines = readFileSync(path.join(dir, '000000000000.jsonl'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('{"seq":0,"at":"2026-11-26T12:00:00.000Z"}');
    const at = '"at":"2026-11-26T12:00:00.000Z"';
    expect(lines[1]).toBe(`{"label":"bag","x":[1,2],"seq":1,${at},"image":"images/000000000001.jpg"}`);
    expect(lines[2]).toBe(`{"label":"bag","x":[1,2],"seq":2,${at},"image":"images/000000000002.jpg"}`);
    expect((await log.readSince(-1)).map((r) => r.seq)).toEqual([0, 1, 2]);
  });

  it('continues after a crash with a torn last line, and readers skip the torn line', async () => {
    const dir = fresh();
    const a = new DataLogger({ dir, now });
    for (let i = 0; i < 3; i++) a.append({ i });
    a.flush(); // what a crash leaves: the written records (waiting ones are lost, see data-logger.crash.test.ts)
    const seg = readdirSync(dir).find((f) => f.endsWith('.jsonl')) as string;
    appendFileSync(path.join(dir, seg), '{"seq":3,"i":'); // no close(): the process died mid-write
    const b = new DataLogger({ dir, now });
    expect(b.append({ i: 3 })).toBe(3);
    expect((await b.readSince(-1)).map((r) => r.seq)).toEqual([0, 1, 2, 3]);
  });

  it('never reuses a sequence number even when every old segment was evicted', () => {
    const dir = fresh();
    const a = new DataLogger({ dir, now, budgetBytes: 400, segmentBytes: 100 });
    for (let i = 0; i < 50; i++) a.append({ payload: 'x'.repeat(40) });
    a.close();
    expect(new DataLogger({ dir, now, budgetBytes: 400, segmentBytes: 100 }).append({})).toBe(50);
  });

  it('rotates segments and deletes the oldest ones (with their images) to stay within budget', async () => {
    const dir = fresh();
    const log = new DataLogger({ dir, now, budgetBytes: 2000, segmentBytes: 500, imageSampleRate: 1 });
    for (let i = 0; i < 60; i++) log.append({ payload: 'y'.repeat(30) }, jpeg);
    expect(log.usedBytes).toBeLessThanOrEqual(2000);
    const kept = await log.readSince(-1);
    expect(kept[0]?.seq).toBeGreaterThan(0);
    expect(kept.at(-1)?.seq).toBe(59);
    expect(kept.map((r) => r.seq)).toEqual(kept.map((_, i) => (kept[0]?.seq ?? 0) + i));
    const images = readdirSync(path.join(dir, 'images'));
    expect(images.sort()).toEqual(kept.flatMap((r) => (r.image ? [path.basename(r.image)] : [])).sort());
    expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length).toBeGreaterThan(1);
  });

  it('keeps an evenly spread fraction of the offered images', async () => {
    const log = new DataLogger({ dir: fresh(), now, imageSampleRate: 0.25 });
    for (let i = 0; i < 8; i++) log.append({ i }, jpeg);
    expect((await log.readSince(-1)).filter((r) => r.image).map((r) => r.seq)).toEqual([3, 7]);
  });

  it('reads only records after the given sequence number, up to a limit', async () => {
    const log = new DataLogger({ dir: fresh(), now, budgetBytes: 10_000, segmentBytes: 200 });
    for (let i = 0; i < 30; i++) log.append({ i });
    expect((await log.readSince(24)).map((r) => r.seq)).toEqual([25, 26, 27, 28, 29]);
    expect((await log.readSince(9, 3)).map((r) => r.seq)).toEqual([10, 11, 12]);
  });

  it('validates its options', () => {
    expect(() => new DataLogger({ dir: fresh(), imageSampleRate: 2 })).toThrow(/"imageSampleRate"/);
    expect(() => new DataLogger({ dir: fresh(), budgetBytes: 100, segmentBytes: 200 })).toThrow(/"segmentBytes"/);
  });

  describe('batched writes', () => {
    afterEach(() => vi.useRealTimers());
    const lines = (dir: string) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .reduce((n, f) => n + readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).length, 0);

    it('writes waiting records once flushIntervalMs has passed since the oldest, in one batch', () => {
      vi.useFakeTimers();
      const dir = fresh();
      const log = new DataLogger({ dir, now, flushIntervalMs: 500 });
      log.append({ i: 0 });
      vi.advanceTimersByTime(300);
      log.append({ i: 1 });
      expect([lines(dir), log.pendingRecords]).toEqual([0, 2]);
      vi.advanceTimersByTime(200);
      expect([lines(dir), log.pendingRecords]).toEqual([2, 0]);
      log.append({ i: 2 });
      vi.advanceTimersByTime(499);
      expect(lines(dir)).toBe(2);
      vi.advanceTimersByTime(1);
      expect(lines(dir)).toBe(3);
      log.close();
    });

    it('writes at once when bufferChars are waiting, and on flushIntervalMs 0 every record', () => {
      const dir = fresh();
      const log = new DataLogger({ dir, now, bufferChars: 200 });
      for (let i = 0; i < 20 && log.pendingRecords === i; i++) log.append({ payload: 'z'.repeat(40) });
      expect(lines(dir)).toBeGreaterThan(0);
      expect(log.pendingRecords).toBe(0);
      const eager = fresh();
      const direct = new DataLogger({ dir: eager, now, flushIntervalMs: 0 });
      direct.append({ i: 0 });
      expect(lines(eager)).toBe(1);
    });

    it('appendDeferred writes what appendJson writes, built at write time with seq and at of the append', () => {
      const [deferred, direct] = [fresh(), fresh()];
      let t = now();
      const clock = () => t;
      const opts = { now: clock, imageSampleRate: 0.5, flushIntervalMs: 3_600_000 };
      const [a, b] = [new DataLogger({ dir: deferred, ...opts }), new DataLogger({ dir: direct, ...opts })];
      let built = 0;
      for (let i = 0; i < 6; i++, t += 1000) {
        const json = `{"i":${i},"label":"bag"}`;
        a.appendDeferred(() => (built++, json), jpeg);
        b.appendJson(json, jpeg);
      }
      expect(built).toBe(0); // nothing serialised on the append path
      t += 60_000;
      a.close();
      b.close();
      expect(built).toBe(6);
      const text = (d: string) => readFileSync(path.join(d, '000000000000.jsonl'), 'utf8');
      expect(text(deferred)).toBe(text(direct));
      expect(text(deferred).split('\n')[1]).toContain('"seq":1,"at":"2026-11-26T12:00:01.000Z"');
      expect(readdirSync(path.join(deferred, 'images'))).toEqual(readdirSync(path.join(direct, 'images')));
    });

    it('writes at once when bufferRecords are waiting; a record that cannot be built is logged as an error', () => {
      const dir = fresh();
      const log = new DataLogger({ dir, now, bufferRecords: 3, flushIntervalMs: 3_600_000 });
      log.appendDeferred(() => '{"i":0}');
      log.appendDeferred(() => {
        throw new Error('no features');
      });
      expect(lines(dir)).toBe(0);
      log.appendDeferred(() => '[2]');
      expect([lines(dir), log.pendingRecords]).toEqual([3, 0]);
      const written = readFileSync(path.join(dir, '000000000000.jsonl'), 'utf8').trim().split('\n');
      expect(written.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
        { i: 0, seq: 0, at: '2026-11-26T12:00:00.000Z' },
        { logError: 'record 1 could not be serialised: no features', seq: 1, at: '2026-11-26T12:00:00.000Z' },
        { logError: 'record 2 could not be serialised: not a JSON object', seq: 2, at: '2026-11-26T12:00:00.000Z' },
      ]);
      expect(() => new DataLogger({ dir: fresh(), bufferRecords: 0 })).toThrow(/bufferRecords/);
    });

    it('readSince and close see every appended record', async () => {
      const dir = fresh();
      const log = new DataLogger({ dir, now, flushIntervalMs: 3_600_000 });
      for (let i = 0; i < 5; i++) log.append({ i });
      expect((await log.readSince(2)).map((r) => r.seq)).toEqual([3, 4]);
      log.append({ i: 5 });
      log.close();
      expect(lines(dir)).toBe(6);
    });

    it('rotates and evicts exactly as record-by-record writing does', async () => {
      const [batched, direct] = [fresh(), fresh()];
      const opts = { now, budgetBytes: 2000, segmentBytes: 300, imageSampleRate: 0.5 };
      const a = new DataLogger({ dir: batched, ...opts, flushIntervalMs: 3_600_000, bufferChars: 1e6 });
      const b = new DataLogger({ dir: direct, ...opts, flushIntervalMs: 0 });
      for (let i = 0; i < 80; i++) for (const log of [a, b]) log.append({ payload: 'w'.repeat(i % 50) }, jpeg);
      a.close();
      b.close();
      const files = (d: string) => [readdirSync(d).sort(), readdirSync(path.join(d, 'images')).sort()];
      expect(files(batched)).toEqual(files(direct));
      expect(await new DataLogger({ dir: batched, now }).readSince(-1)).toEqual(
        await new DataLogger({ dir: direct, now }).readSince(-1),
      );
    });

    it('a background write that fails is thrown by the next append, and its records are kept', async () => {
      vi.useFakeTimers();
      const dir = fresh();
      const log = new DataLogger({ dir, now, flushIntervalMs: 100, segmentBytes: 50, budgetBytes: 1e6 });
      log.append({ payload: 'v'.repeat(60) }); // fills the segment: the flush rotates into `dir`
      rmSync(dir, { recursive: true });
      vi.advanceTimersByTime(100);
      expect(() => log.append({ i: 1 })).toThrow(/ENOENT/);
      mkdirSync(path.join(dir, 'images'), { recursive: true });
      expect(log.append({ i: 2 })).toBe(1);
      log.close();
      expect((await new DataLogger({ dir, now }).readSince(-1)).map((r) => r.seq)).toEqual([1]);
    });
  });
});
