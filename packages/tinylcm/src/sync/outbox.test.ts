import { appendFile, mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PackageType } from '@tinymlops/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';
import type { BuiltPackage } from './package-builder.js';

let dir: string;
const opened: Outbox[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbox-'));
});
// Tests "crash" by opening a second instance without closing the first; close all at the end.
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

/** A fake package: the outbox treats archives as opaque bytes, so content only needs a size. */
function pkg(id: string, type: PackageType, size = 100): BuiltPackage {
  const archive = Buffer.alloc(size, id.length);
  const manifest = {
    schemaVersion: 1 as const,
    packageId: id,
    deviceId: 'dev_00000001',
    createdAt: '2026-11-26T10:00:00.000Z',
    types: [type],
    documents: {},
    files: [],
  };
  return { packageId: id, manifest, archive, sha256: 'a'.repeat(64), size };
}

const ids = (o: Outbox) => o.pending().map((e) => e.packageId);
async function open(budgetBytes = 10_000, compactAfterDeadLines = 512): Promise<Outbox> {
  const outbox = await Outbox.open(dir, { budgetBytes, now: () => 0, compactAfterDeadLines });
  opened.push(outbox);
  return outbox;
}

describe('Outbox', () => {
  it('keeps enqueued packages across a reopen, ordered by priority then age', async () => {
    const a = await open();
    await a.enqueue(pkg('pkg_metrics1', 'metrics'));
    await a.enqueue(pkg('pkg_drift001', 'drift-events'));
    await a.enqueue(pkg('pkg_logs0001', 'logs'));
    await a.enqueue(pkg('pkg_state001', 'state-snapshot'));
    expect(ids(a)).toEqual(['pkg_drift001', 'pkg_state001', 'pkg_metrics1', 'pkg_logs0001']);
    // No close(): a crash leaves the journal as it is.
    const b = await open();
    expect(ids(b)).toEqual(['pkg_drift001', 'pkg_state001', 'pkg_metrics1', 'pkg_logs0001']);
    expect(await b.read('pkg_drift001')).toEqual(pkg('pkg_drift001', 'drift-events').archive);
  });

  it('never returns an acknowledged package again, even after a reopen', async () => {
    const a = await open();
    await a.enqueue(pkg('pkg_metrics1', 'metrics'));
    await a.enqueue(pkg('pkg_metrics2', 'metrics'));
    await a.ack('pkg_metrics1');
    await a.ack('pkg_metrics1'); // a second ack is harmless
    expect(ids(a)).toEqual(['pkg_metrics2']);
    expect(await readdir(join(dir, 'packages'))).toEqual(['pkg_metrics2.tar.gz']);
    const b = await open();
    expect(ids(b)).toEqual(['pkg_metrics2']);
  });

  it('deletes the file of a package acked just before a crash (journal written, file not yet removed)', async () => {
    const a = await open();
    await a.enqueue(pkg('pkg_metrics1', 'metrics'));
    await appendFile(join(dir, 'journal.ndjson'), '{"op":"ack","id":"pkg_metrics1"}\n');
    const b = await open();
    expect(ids(b)).toEqual([]);
    expect(await readdir(join(dir, 'packages'))).toEqual([]);
  });

  it('ignores a torn last journal line and appends cleanly after it', async () => {
    const a = await open();
    await a.enqueue(pkg('pkg_metrics1', 'metrics'));
    await appendFile(join(dir, 'journal.ndjson'), '{"op":"ack","id":"pkg_metr');
    const b = await open();
    expect(ids(b)).toEqual(['pkg_metrics1']);
    await b.enqueue(pkg('pkg_metrics2', 'metrics'));
    const c = await open();
    expect(ids(c)).toEqual(['pkg_metrics1', 'pkg_metrics2']);
  });

  it('removes orphan temp files and package files that were never journaled', async () => {
    const a = await open();
    await a.enqueue(pkg('pkg_metrics1', 'metrics'));
    await writeFile(join(dir, 'packages', 'pkg_metrics2.tar.gz.tmp-abc123'), 'half');
    await writeFile(join(dir, 'packages', 'pkg_metrics3.tar.gz'), 'complete but never journaled');
    await writeFile(join(dir, 'journal.ndjson.tmp-def456'), 'half a compaction');
    const b = await open();
    expect(ids(b)).toEqual(['pkg_metrics1']);
    expect((await readdir(join(dir, 'packages'))).sort()).toEqual(['pkg_metrics1.tar.gz']);
    expect((await readdir(dir)).sort()).toEqual(['journal.ndjson', 'packages', 'rejected']);
  });

  it('drops the oldest low-priority packages first and counts them by type, persistently', async () => {
    const a = await open(350);
    await a.enqueue(pkg('pkg_metrics1', 'metrics'));
    await a.enqueue(pkg('pkg_drift001', 'drift-events'));
    await a.enqueue(pkg('pkg_logs0001', 'logs'));
    const r = await a.enqueue(pkg('pkg_drift002', 'drift-events'));
    expect(r).toEqual({ accepted: true, evicted: ['pkg_metrics1'] });
    const r2 = await a.enqueue(pkg('pkg_drift003', 'drift-events', 150));
    expect(r2).toEqual({ accepted: true, evicted: ['pkg_logs0001'] });
    expect(ids(a)).toEqual(['pkg_drift001', 'pkg_drift002', 'pkg_drift003']);
    expect(a.stats().bytes).toBeLessThanOrEqual(350);
    // Metrics never push out drift samples: the incoming low-priority package is dropped instead.
    expect(await a.enqueue(pkg('pkg_metrics2', 'metrics'))).toEqual({ accepted: false, evicted: [] });
    expect(ids(a)).toEqual(['pkg_drift001', 'pkg_drift002', 'pkg_drift003']);
    const expected = { packages: 3, bytes: 300, byType: { metrics: 2, logs: 1 } };
    expect(a.stats().dropped).toEqual(expected);
    expect((await open(350)).stats().dropped).toEqual(expected);
  });

  it('drops the oldest drift package when only drift packages remain', async () => {
    const a = await open(250);
    await a.enqueue(pkg('pkg_drift001', 'drift-events'));
    await a.enqueue(pkg('pkg_drift002', 'drift-events'));
    await a.enqueue(pkg('pkg_drift003', 'drift-events'));
    expect(ids(a)).toEqual(['pkg_drift002', 'pkg_drift003']);
    expect(a.stats().dropped.byType).toEqual({ 'drift-events': 1 });
  });

  it('drops a package larger than the whole budget without touching the others', async () => {
    const a = await open(150);
    await a.enqueue(pkg('pkg_drift001', 'drift-events'));
    expect((await a.enqueue(pkg('pkg_drift002', 'drift-events', 200))).accepted).toBe(false);
    expect(ids(a)).toEqual(['pkg_drift001']);
  });

  it('moves a rejected package to rejected/ and keeps it out of pending after a reopen', async () => {
    const a = await open();
    await a.enqueue(pkg('pkg_metrics1', 'metrics'));
    await a.reject('pkg_metrics1', 'CONFLICT');
    expect(ids(a)).toEqual([]);
    expect(await readdir(join(dir, 'rejected'))).toEqual(['pkg_metrics1.tar.gz']);
    const b = await open();
    expect(ids(b)).toEqual([]);
    expect(b.stats().rejected).toBe(1);
  });

  it('restores the package sequence so ids are never reused after a restart', async () => {
    const a = await open();
    expect([a.reserveSequence(), a.reserveSequence()]).toEqual([0, 1]);
    await a.enqueue(pkg('pkg_metrics1', 'metrics'));
    await a.ack('pkg_metrics1');
    const b = await open();
    expect(b.reserveSequence()).toBe(2);
  });

  it('starts a new outbox sequence at the clock, so a wiped outbox does not reuse package ids', async () => {
    const o = await Outbox.open(dir, { budgetBytes: 1000, now: () => 1_764_151_200_000 });
    opened.push(o);
    expect(o.reserveSequence()).toBe(1_764_151_200_000);
  });

  it('keeps only the newest maxRejectedFiles copies of rejected packages', async () => {
    const o = await Outbox.open(dir, { budgetBytes: 10_000, now: () => 0, maxRejectedFiles: 2 });
    opened.push(o);
    for (const id of ['pkg_metrics1', 'pkg_metrics2', 'pkg_metrics3']) {
      await o.enqueue(pkg(id, 'metrics'));
      await utimes(join(dir, 'packages', `${id}.tar.gz`), 1, Number(id.at(-1)) * 1000);
      await o.reject(id, 'CONFLICT');
    }
    expect((await readdir(join(dir, 'rejected'))).sort()).toEqual(['pkg_metrics2.tar.gz', 'pkg_metrics3.tar.gz']);
    expect(o.stats().rejected).toBe(3);
  });

  it('serialises concurrent enqueues and acks without losing or duplicating journal lines', async () => {
    const a = await open();
    const names = Array.from({ length: 20 }, (_, i) => `pkg_concurrent_${i}`);
    await Promise.all(names.map((id) => a.enqueue(pkg(id, 'logs'))));
    await Promise.all([...names.slice(0, 10).map((id) => a.ack(id)), a.enqueue(pkg('pkg_concurrent_x', 'logs'))]);
    const b = await open();
    expect(ids(b)).toEqual([...names.slice(10), 'pkg_concurrent_x']);
  });

  it('compacts the journal so it does not grow with every acknowledged package', async () => {
    const a = await open(10_000, 10);
    for (let i = 0; i < 30; i++) {
      await a.enqueue(pkg(`pkg_metrics_${i}`, 'metrics'));
      await a.ack(`pkg_metrics_${i}`);
    }
    await a.enqueue(pkg('pkg_metrics_last', 'metrics'));
    const lines = (await readFile(join(dir, 'journal.ndjson'), 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThan(15);
    expect(ids(await open())).toEqual(['pkg_metrics_last']);
  });
});
