import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdaptationTracker, type AdaptationEventInput } from './adaptation-tracker.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tracker-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const input = (label: string): AdaptationEventInput => ({
  at: '2026-11-26T10:00:00.000Z',
  action: 'feedback-applied',
  label,
  samples: 1,
  stateVersionBefore: 1,
  stateVersionAfter: 2,
  reason: 'test',
});

describe('AdaptationTracker', () => {
  it('numbers events 1, 2, 3 and reads them incrementally', () => {
    const t = new AdaptationTracker({ path: join(dir, 'a.jsonl') });
    for (const l of ['x', 'y', 'z']) t.record(input(l));
    expect(t.readSince(0).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(t.readSince(2).map((e) => e.label)).toEqual(['z']);
    expect(t.readSince(3)).toEqual([]);
  });

  it('continues the sequence after a restart and appends one line per event', () => {
    const path = join(dir, 'sub', 'a.jsonl');
    new AdaptationTracker({ path }).record(input('x'));
    const t = new AdaptationTracker({ path });
    expect(t.lastSeq).toBe(1);
    expect(t.record(input('y')).seq).toBe(2);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('cuts off a line torn by a crash instead of failing forever', () => {
    const path = join(dir, 'a.jsonl');
    new AdaptationTracker({ path }).record(input('x'));
    appendFileSync(path, '{"seq":2,"at":"2026-11-');
    const t = new AdaptationTracker({ path });
    expect(t.lastSeq).toBe(1);
    expect(t.record(input('y')).seq).toBe(2);
    expect(t.readSince(0).map((e) => e.label)).toEqual(['x', 'y']);
  });

  it('rejects an event that does not match the contract', () => {
    const t = new AdaptationTracker({ path: join(dir, 'a.jsonl') });
    expect(() => t.record({ ...input('x'), samples: -1 })).toThrow(/invalid adaptation event/);
    expect(t.lastSeq).toBe(0);
  });
});
