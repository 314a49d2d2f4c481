import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateSnapshotDocument } from '@tinymlops/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateStore } from './state-store.js';

let dir: string;
let warnings: string[];
const logger = { warn: (m: string) => warnings.push(m) };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'state-store-'));
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function doc(version: number, n = version): StateSnapshotDocument {
  return {
    schemaVersion: 1,
    stateVersion: version,
    createdAt: '2026-11-26T10:00:00.000Z',
    reason: `test ${version}`,
    parentVersion: version > 1 ? version - 1 : null,
    components: { classifier: { n }, quarantine: { pending: [] } },
  };
}

describe('StateStore', () => {
  it('saves zero-padded versioned files and loads the newest', () => {
    const store = new StateStore({ dir, logger });
    store.save(doc(1));
    store.save(doc(2));
    expect(readdirSync(dir).sort()).toEqual(['state-0000000001.json', 'state-0000000002.json']);
    expect(store.loadLatest()).toEqual(doc(2));
    expect(store.nextVersion()).toBe(3);
  });

  it('keeps only the newest keepVersions versions', () => {
    const store = new StateStore({ dir, keepVersions: 2, logger });
    for (let v = 1; v <= 5; v++) store.save(doc(v));
    expect(store.list().map((i) => i.version)).toEqual([4, 5]);
  });

  it('also keeps the versions `retain` names (a rollback target older than keepVersions)', () => {
    const store = new StateStore({ dir, keepVersions: 2, logger, retain: () => [2] });
    for (let v = 1; v <= 6; v++) store.save(doc(v));
    expect(store.list().map((i) => i.version)).toEqual([2, 5, 6]);
    expect(store.rollback(2, '2026-11-26T10:01:00.000Z').components).toEqual(doc(2).components);
  });

  it('refuses to overwrite an existing version and rejects schema-invalid documents', () => {
    const store = new StateStore({ dir, logger });
    store.save(doc(1));
    expect(() => store.save(doc(1, 99))).toThrow(/already exists/);
    expect(() => store.save({ ...doc(2), schemaVersion: 2 } as unknown as StateSnapshotDocument)).toThrow(
      /invalid state snapshot/,
    );
  });

  it('falls back over a truncated newest snapshot and logs the skip', () => {
    const store = new StateStore({ dir, logger });
    store.save(doc(1));
    store.save(doc(2));
    const f = join(dir, 'state-0000000002.json');
    const bytes = readFileSync(f);
    writeFileSync(f, bytes.subarray(0, bytes.length - 7));
    expect(store.loadLatest()).toEqual(doc(1));
    expect(warnings).toEqual([expect.stringMatching(/state-0000000002\.json.*body is \d+ bytes/)]);
    expect(store.list().map((i) => i.valid)).toEqual([true, false]);
  });

  it('falls back over a bit-flipped body (same length) and over an empty file', () => {
    const store = new StateStore({ dir, logger });
    for (let v = 1; v <= 3; v++) store.save(doc(v));
    const f3 = join(dir, 'state-0000000003.json');
    const bytes = Buffer.from(readFileSync(f3));
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x01;
    writeFileSync(f3, bytes);
    writeFileSync(join(dir, 'state-0000000002.json'), '');
    expect(store.loadLatest()).toEqual(doc(1));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/sha256/);
    expect(warnings[1]).toMatch(/no header line/);
  });

  it('rejects a valid file renamed to another version', () => {
    const store = new StateStore({ dir, logger });
    store.save(doc(1));
    writeFileSync(join(dir, 'state-0000000007.json'), readFileSync(join(dir, 'state-0000000001.json')));
    expect(store.loadLatest()?.stateVersion).toBe(1);
    expect(warnings[0]).toMatch(/file name says 7/);
  });

  it('returns undefined when nothing valid exists', () => {
    writeFileSync(join(dir, 'state-0000000001.json'), 'garbage');
    expect(new StateStore({ dir, logger }).loadLatest()).toBeUndefined();
  });

  it('rolls back by writing the old components as a new version', () => {
    const store = new StateStore({ dir, logger });
    store.save(doc(1, 10));
    store.save(doc(2, 20));
    const rolled = store.rollback(1, '2026-11-26T11:00:00.000Z');
    expect(rolled.stateVersion).toBe(3);
    expect(rolled.parentVersion).toBe(1);
    expect(rolled.components).toEqual(doc(1, 10).components);
    expect(store.loadLatest()).toEqual(rolled);
    expect(() => store.rollback(42)).toThrow(/not retained/);
  });

  it('removes temp files a crash left behind and never lists them', () => {
    writeFileSync(join(dir, '.tmp-state-4-1234'), 'partial');
    const store = new StateStore({ dir, logger });
    expect(readdirSync(dir)).toEqual([]);
    expect(store.nextVersion()).toBe(1);
  });
});
