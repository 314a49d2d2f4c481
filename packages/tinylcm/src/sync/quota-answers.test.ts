import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';
import { SyncHarness } from './sync-harness.fixture.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await SyncHarness.create();
});
afterEach(() => h.close());

const PUT = 'PUT /device/v1/packages';

/** How a device answers the server's per-device quotas (TinySphere: 429 QUOTA_EXCEEDED, or 413). */
describe('quota answers', () => {
  it('keeps every package over a quota, waits for Retry-After, then delivers them', async () => {
    const ids = await h.enqueueLogs(4);
    h.server.faults.push({ match: PUT, kind: 'status', status: 429, code: 'QUOTA_EXCEEDED', retryAfter: '3600' });
    const c = h.client();
    const first = await c.syncOnce();
    expect(first.error).toMatch(/QUOTA_EXCEEDED|over|429/i);
    expect(first.rejected).toEqual([]);
    expect(h.outbox.pending().map((e) => e.packageId)).toEqual(ids); // nothing dropped, nothing rejected
    expect(
      h.warnings.some((w) => w['log'] === 'sync: over the server quota; keeping packages until it allows more'),
    ).toBe(true);
    const putsBefore = h.server.puts.length;
    h.now += 3_599_000;
    expect((await c.syncOnce()).ran).toBe(false); // Retry-After not passed yet
    expect(h.server.puts).toHaveLength(putsBefore);
    h.now += 2_000;
    await h.drain(c);
    expect([...h.server.stored.keys()].sort()).toEqual([...ids].sort());
  });

  it('while held back, lets its outbox budget decide what to drop (oldest, lowest priority first)', async () => {
    await h.outbox.close();
    h.outbox = await Outbox.open(join(h.dir, 'outbox'), { budgetBytes: 3_000, now: () => h.now });
    await h.enqueueLogs(1);
    h.server.faults.push({ match: PUT, kind: 'status', status: 429, code: 'QUOTA_EXCEEDED', retryAfter: '60' });
    const c = h.client();
    expect((await c.syncOnce()).error).toBeDefined();
    const later = await h.enqueueLogs(30);
    expect(h.outbox.stats().bytes).toBeLessThanOrEqual(3_000);
    expect(h.outbox.stats().dropped.packages).toBeGreaterThan(0);
    h.now += 61_000;
    await h.drain(c);
    const kept = [...h.server.stored.keys()];
    expect(kept.length).toBe(31 - h.outbox.stats().dropped.packages);
    expect(later.slice(-kept.length)).toEqual(expect.arrayContaining(kept.filter((k) => later.includes(k))));
  });

  it('rejects for good a package larger than the whole quota (413), and goes on with the rest', async () => {
    const ids = await h.enqueueLogs(3);
    h.server.faults.push({ match: PUT, kind: 'status', status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const c = h.client();
    const r = await c.syncOnce();
    expect(r.rejected).toEqual([ids[0]]);
    expect(r.uploaded).toEqual(ids.slice(1));
    expect(await readdir(join(h.dir, 'outbox', 'rejected'))).toEqual([`${ids[0]}.tar.gz`]);
  });
});
