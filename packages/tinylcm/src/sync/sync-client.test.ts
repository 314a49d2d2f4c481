import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoopbackDeviceServer } from './loopback-device-server.fixture.js';
import { Outbox } from './outbox.js';
import { SyncHarness } from './sync-harness.fixture.js';
import { readSyncStatus } from './sync-status.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await SyncHarness.create();
});
afterEach(() => h.close());

const PUT = 'PUT /device/v1/packages';

describe('SyncClient uploads', () => {
  it('delivers every package exactly once through 5xx, resets, a lost answer and 429, and never re-sends after ack', async () => {
    const ids = await h.enqueueLogs(6);
    h.server.faults.push(
      { match: PUT, kind: 'status', status: 503 },
      { match: PUT, kind: 'reset' },
      { match: PUT, kind: 'reset-after-store' },
      { match: 'POST /device/v1/heartbeat', kind: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '30' },
      { match: PUT, kind: 'status', status: 408 },
    );
    const c = h.client();
    await h.drain(c);
    expect([...h.server.stored.keys()].sort()).toEqual([...ids].sort());
    // Only the package whose answer was lost went twice (the second time as a duplicate).
    const counts = ids.map((id) => h.server.puts.filter((p) => p === id).length);
    expect(counts.filter((n) => n > 1)).toEqual([2]);
    expect(h.server.faults).toEqual([]); // every injected fault was hit
    const status = await readSyncStatus(join(h.dir, 'state'));
    expect(status).toMatchObject({
      consecutiveFailures: 0,
      lastSuccessAt: new Date(h.now).toISOString(),
      outbox: { packages: 0 },
    });
    const putsBefore = h.server.puts.length;
    for (let i = 0; i < 3; i++) await c.syncOnce();
    expect(h.server.puts.length).toBe(putsBefore);
    await h.outbox.close();
    h.outbox = await h.openOutbox();
    expect(h.outbox.pending()).toEqual([]);
    expect(await readdir(join(h.dir, 'outbox', 'packages'))).toEqual([]);
  });

  it('after a long offline period, delivers exactly what stayed within the budget and counts the rest as dropped', async () => {
    await h.outbox.close();
    h.outbox = await Outbox.open(join(h.dir, 'outbox'), { budgetBytes: 4_000, now: () => h.now });
    const c = h.client();
    const port = new URL(h.server.url).port;
    await h.server.close(); // offline
    const ids = await h.enqueueLogs(40);
    for (let i = 0; i < 5; i++) {
      expect((await c.syncOnce()).error).toMatch(/ECONNREFUSED/);
      h.now += 3_600_000;
    }
    const waiting = h.outbox.pending().map((e) => e.packageId);
    expect(h.outbox.stats().bytes).toBeLessThanOrEqual(4_000);
    expect(waiting).toEqual(ids.slice(-waiting.length)); // the newest survived
    h.server = await new LoopbackDeviceServer().start(Number(port)); // back online, same address
    await h.drain(c);
    expect([...h.server.stored.keys()].sort()).toEqual([...waiting].sort());
    expect(h.server.puts).toHaveLength(waiting.length);
    expect(h.outbox.stats().dropped.packages).toBe(ids.length - waiting.length);
    expect(h.outbox.stats().dropped.byType).toEqual({ logs: ids.length - waiting.length });
  });

  it('backs off exponentially with jitter, honours Retry-After, and skips rounds until the delay passed', async () => {
    await h.enqueueLogs(1);
    for (let i = 0; i < 3; i++)
      h.server.faults.push({ match: 'POST /device/v1/heartbeat', kind: 'status', status: 503 });
    h.server.faults.push({ match: 'POST /device/v1/heartbeat', kind: 'status', status: 429, retryAfter: '120' });
    const c = h.client();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect((await c.syncOnce()).error).toBeDefined();
      delays.push(h.warnings.at(-1)?.delayMs as number);
      expect((await c.syncOnce()).ran).toBe(false);
      h.now += delays.at(-1) ?? 0;
    }
    expect(delays).toEqual([999, 1998, 3996, 120_000]);
    expect(await c.syncOnce()).toMatchObject({ ran: true, uploaded: [expect.any(String)] });
  });

  it('treats 409 CONFLICT and other 4xx as permanent: keeps a copy in rejected/ and stops sending', async () => {
    const [conflicting, tooLarge, fine] = await h.enqueueLogs(3);
    h.server.stored.set(conflicting ?? '', { sha256: 'f'.repeat(64), bytes: Buffer.alloc(0) });
    h.server.faults.push({ match: `${PUT}/${tooLarge}`, kind: 'status', status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const c = h.client();
    const r = await c.syncOnce();
    expect(r.rejected).toEqual([conflicting, tooLarge]);
    expect(r.uploaded).toEqual([fine]);
    expect((await readdir(join(h.dir, 'outbox', 'rejected'))).sort()).toEqual([
      `${conflicting}.tar.gz`,
      `${tooLarge}.tar.gz`,
    ]);
    await c.syncOnce();
    expect(h.server.puts.filter((p) => p === conflicting)).toHaveLength(1);
    expect(h.warnings.some((w) => w.code === 'CONFLICT')).toBe(true);
  });

  it('a timed-out answer is retried and acknowledged as a duplicate', async () => {
    const [id] = await h.enqueueLogs(1);
    h.server.faults.push({ match: PUT, kind: 'hold' });
    const c = h.client({ timeoutMs: 300 });
    expect((await c.syncOnce()).error).toMatch(/timed out/);
    expect(h.server.stored.has(id ?? '')).toBe(true);
    h.server.releaseHeld();
    h.now += 3_600_000;
    expect((await c.syncOnce()).uploaded).toEqual([id]);
    expect(h.outbox.pending()).toEqual([]);
  });

  it('resumes after a crash: a package stored by the server but not acked locally is re-sent once and acked', async () => {
    const [id] = await h.enqueueLogs(1);
    h.server.faults.push({ match: PUT, kind: 'reset-after-store' });
    await h.client().syncOnce();
    await h.outbox.close(); // the process "dies"; a new one opens the same directories
    h.outbox = await h.openOutbox();
    expect(h.outbox.pending().map((e) => e.packageId)).toEqual([id]);
    expect((await h.client().syncOnce()).uploaded).toEqual([id]);
    expect(h.server.puts).toEqual([id, id]);
  });

  it('never blocks the caller: start() returns at once, errors are contained, stop() waits for the round', async () => {
    await h.server.close();
    const c = h.client({ intervalMs: 3_600_000 });
    c.start();
    await vi.waitFor(() => expect(h.warnings.length).toBeGreaterThan(0));
    await c.stop();
    expect(await readSyncStatus(join(h.dir, 'state'))).toMatchObject({
      consecutiveFailures: 1,
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(h.warnings[0]).toMatchObject({
      log: 'sync: round failed, backing off',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    h.server = await new LoopbackDeviceServer().start(); // for afterEach
  });
});

describe('SyncClient scheduling', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a round at start, then every interval, and waits out the backoff when it is longer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const fetch = vi.fn(() => Promise.reject(new TypeError('fetch failed')));
    const c = h.client({
      fetch,
      intervalMs: 10_000,
      backoff: { baseMs: 60_000, maxMs: 60_000, random: () => 0.5 },
      now: () => Date.now(),
    });
    c.start(); // returns at once; the round runs on a timer
    expect(fetch).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(0);
    await c.syncOnce(); // joins the round the timer started (rounds never overlap)
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(29_999); // the backoff (30 s) is longer than the interval (10 s)
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await c.syncOnce();
    expect(fetch).toHaveBeenCalledTimes(2);
    await c.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('flags a refused device token so the app can enrol again, without rejecting any package', async () => {
    await h.enqueueLogs(1);
    const r = await h
      .client({
        credentials: {
          serverUrl: h.server.url,
          deviceToken: 'tdv_revoked_' + 'y'.repeat(40),
          heartbeatIntervalSeconds: 60,
        },
      })
      .syncOnce();
    expect(r).toMatchObject({ authFailed: true, rejected: [] });
    expect(h.outbox.pending()).toHaveLength(1);
  });
});
