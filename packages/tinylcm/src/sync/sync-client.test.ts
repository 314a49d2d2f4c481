import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BundleManifest, ValidationFeedback } from '@tinymlops/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceApi } from './device-api.js';
import { LoopbackDeviceServer, TOKEN } from './loopback-device-server.fixture.js';
import { ModelUpdater } from './model-updater.js';
import { Outbox } from './outbox.js';
import { buildPackage, packageIdFor } from './package-builder.js';
import { SyncClient, type DeviceStatusReport, type SyncClientOptions } from './sync-client.js';
import type { SyncLogger } from './sync-logger.js';
import { readSyncStatus } from './sync-status.js';
import { writeTar } from './tar-archive.js';

const DEVICE = 'dev_00000001';
let server: LoopbackDeviceServer;
let dir: string;
let now: number;
let outbox: Outbox;
let warnings: Record<string, unknown>[];
const clients: SyncClient[] = [];
const log: SyncLogger = { info: () => undefined, warn: (message, ctx) => warnings.push({ ...ctx, log: message }) };

beforeEach(async () => {
  server = await new LoopbackDeviceServer().start();
  dir = await mkdtemp(join(tmpdir(), 'sync-'));
  now = Date.parse('2026-11-26T10:00:00Z');
  warnings = [];
  outbox = await openOutbox();
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop();
  await outbox.close();
  await server.close();
});

function openOutbox(): Promise<Outbox> {
  return Outbox.open(join(dir, 'outbox'), { budgetBytes: 1_000_000, now: () => now });
}

function statusReport(): DeviceStatusReport {
  return {
    status: 'ok',
    mode: 'monitoring-only',
    model: null,
    stateVersion: 0,
    uptimeSeconds: 1,
    metrics: { framesProcessed: 0, driftActive: false, outboxBytes: 0, outboxPackages: 0, droppedPackages: 0 },
  };
}

function client(extra: Partial<SyncClientOptions> = {}): SyncClient {
  const c = new SyncClient({
    credentials: { serverUrl: server.url, deviceToken: TOKEN, heartbeatIntervalSeconds: 60 },
    outbox,
    stateDir: join(dir, 'state'),
    status: statusReport,
    now: () => now,
    backoff: { baseMs: 1000, random: () => 0.999 },
    log,
    ...extra,
  });
  clients.push(c);
  return c;
}

async function enqueueLogs(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const seq = outbox.reserveSequence();
    const at = new Date(now).toISOString();
    const pkg = await buildPackage({
      packageId: packageIdFor(DEVICE, seq),
      deviceId: DEVICE,
      createdAt: new Date(now),
      parts: { logs: [{ seq, at, level: 'info', message: `line ${seq}` }] },
    });
    await outbox.enqueue(pkg);
    ids.push(pkg.packageId);
  }
  return ids;
}

/** Runs rounds, moving the clock past each backoff, until the outbox is empty. */
async function drain(c: SyncClient): Promise<number> {
  for (let rounds = 1; rounds <= 40; rounds++) {
    const r = await c.syncOnce();
    if (r.ran && !r.error && outbox.pending().length === 0) return rounds;
    now += 3_600_000;
  }
  throw new Error('outbox did not drain');
}

const PUT = 'PUT /device/v1/packages';

describe('SyncClient uploads', () => {
  it('delivers every package exactly once through 5xx, resets, a lost answer and 429, and never re-sends after ack', async () => {
    const ids = await enqueueLogs(6);
    server.faults.push(
      { match: PUT, kind: 'status', status: 503 },
      { match: PUT, kind: 'reset' },
      { match: PUT, kind: 'reset-after-store' },
      { match: 'POST /device/v1/heartbeat', kind: 'status', status: 429, code: 'RATE_LIMITED', retryAfter: '30' },
      { match: PUT, kind: 'status', status: 408 },
    );
    const c = client();
    await drain(c);
    expect([...server.stored.keys()].sort()).toEqual([...ids].sort());
    // Only the package whose answer was lost went twice (the second time as a duplicate).
    const counts = ids.map((id) => server.puts.filter((p) => p === id).length);
    expect(counts.filter((n) => n > 1)).toEqual([2]);
    expect(server.faults).toEqual([]); // every injected fault was hit
    const status = await readSyncStatus(join(dir, 'state'));
    expect(status).toMatchObject({
      consecutiveFailures: 0,
      lastSuccessAt: new Date(now).toISOString(),
      outbox: { packages: 0 },
    });
    const putsBefore = server.puts.length;
    for (let i = 0; i < 3; i++) await c.syncOnce();
    expect(server.puts.length).toBe(putsBefore);
    await outbox.close();
    outbox = await openOutbox();
    expect(outbox.pending()).toEqual([]);
    expect(await readdir(join(dir, 'outbox', 'packages'))).toEqual([]);
  });

  it('after a long offline period, delivers exactly what stayed within the budget and counts the rest as dropped', async () => {
    await outbox.close();
    outbox = await Outbox.open(join(dir, 'outbox'), { budgetBytes: 4_000, now: () => now });
    const c = client();
    const port = new URL(server.url).port;
    await server.close(); // offline
    const ids = await enqueueLogs(40);
    for (let i = 0; i < 5; i++) {
      expect((await c.syncOnce()).error).toMatch(/ECONNREFUSED/);
      now += 3_600_000;
    }
    const waiting = outbox.pending().map((e) => e.packageId);
    expect(outbox.stats().bytes).toBeLessThanOrEqual(4_000);
    expect(waiting).toEqual(ids.slice(-waiting.length)); // the newest survived
    server = await new LoopbackDeviceServer().start(Number(port)); // back online, same address
    await drain(c);
    expect([...server.stored.keys()].sort()).toEqual([...waiting].sort());
    expect(server.puts).toHaveLength(waiting.length);
    expect(outbox.stats().dropped.packages).toBe(ids.length - waiting.length);
    expect(outbox.stats().dropped.byType).toEqual({ logs: ids.length - waiting.length });
  });

  it('backs off exponentially with jitter, honours Retry-After, and skips rounds until the delay passed', async () => {
    await enqueueLogs(1);
    for (let i = 0; i < 3; i++) server.faults.push({ match: 'POST /device/v1/heartbeat', kind: 'status', status: 503 });
    server.faults.push({ match: 'POST /device/v1/heartbeat', kind: 'status', status: 429, retryAfter: '120' });
    const c = client();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect((await c.syncOnce()).error).toBeDefined();
      delays.push(warnings.at(-1)?.delayMs as number);
      expect((await c.syncOnce()).ran).toBe(false);
      now += delays.at(-1) ?? 0;
    }
    expect(delays).toEqual([999, 1998, 3996, 120_000]);
    expect(await c.syncOnce()).toMatchObject({ ran: true, uploaded: [expect.any(String)] });
  });

  it('treats 409 CONFLICT and other 4xx as permanent: keeps a copy in rejected/ and stops sending', async () => {
    const [conflicting, tooLarge, fine] = await enqueueLogs(3);
    server.stored.set(conflicting ?? '', { sha256: 'f'.repeat(64), bytes: Buffer.alloc(0) });
    server.faults.push({ match: `${PUT}/${tooLarge}`, kind: 'status', status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const c = client();
    const r = await c.syncOnce();
    expect(r.rejected).toEqual([conflicting, tooLarge]);
    expect(r.uploaded).toEqual([fine]);
    expect((await readdir(join(dir, 'outbox', 'rejected'))).sort()).toEqual([
      `${conflicting}.tar.gz`,
      `${tooLarge}.tar.gz`,
    ]);
    await c.syncOnce();
    expect(server.puts.filter((p) => p === conflicting)).toHaveLength(1);
    expect(warnings.some((w) => w.code === 'CONFLICT')).toBe(true);
  });

  it('a timed-out answer is retried and acknowledged as a duplicate', async () => {
    const [id] = await enqueueLogs(1);
    server.faults.push({ match: PUT, kind: 'hold' });
    const c = client({ timeoutMs: 300 });
    expect((await c.syncOnce()).error).toMatch(/timed out/);
    expect(server.stored.has(id ?? '')).toBe(true);
    server.releaseHeld();
    now += 3_600_000;
    expect((await c.syncOnce()).uploaded).toEqual([id]);
    expect(outbox.pending()).toEqual([]);
  });

  it('resumes after a crash: a package stored by the server but not acked locally is re-sent once and acked', async () => {
    const [id] = await enqueueLogs(1);
    server.faults.push({ match: PUT, kind: 'reset-after-store' });
    await client().syncOnce();
    await outbox.close(); // the process "dies"; a new one opens the same directories
    outbox = await openOutbox();
    expect(outbox.pending().map((e) => e.packageId)).toEqual([id]);
    expect((await client().syncOnce()).uploaded).toEqual([id]);
    expect(server.puts).toEqual([id, id]);
  });

  it('never blocks the caller: start() returns at once, errors are contained, stop() waits for the round', async () => {
    await server.close();
    const c = client({ intervalMs: 3_600_000 });
    c.start();
    await vi.waitFor(() => expect(warnings.length).toBeGreaterThan(0));
    await c.stop();
    expect(await readSyncStatus(join(dir, 'state'))).toMatchObject({
      consecutiveFailures: 1,
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(warnings[0]).toMatchObject({
      log: 'sync: round failed, backing off',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    server = await new LoopbackDeviceServer().start(); // for afterEach
  });
});

describe('SyncClient scheduling', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a round at start, then every interval, and waits out the backoff when it is longer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const fetch = vi.fn(() => Promise.reject(new TypeError('fetch failed')));
    const c = client({
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
    await enqueueLogs(1);
    const r = await client({
      credentials: {
        serverUrl: server.url,
        deviceToken: 'tdv_revoked_' + 'y'.repeat(40),
        heartbeatIntervalSeconds: 60,
      },
    }).syncOnce();
    expect(r).toMatchObject({ authFailed: true, rejected: [] });
    expect(outbox.pending()).toHaveLength(1);
  });
});

describe('SyncClient feedback', () => {
  const item = (cursor: number): ValidationFeedback => ({
    feedbackId: `fb_0000000${cursor}`,
    cursor,
    sampleId: `smp_0000000${cursor}`,
    episodeId: 'ep_00000001',
    decision: 'label',
    label: 'bag',
    validatedAt: '2026-11-26T10:05:00.000Z',
  });

  it('applies feedback, acks it, and resumes from the persisted cursor after a restart', async () => {
    server.feedback = [item(1), item(2), item(3)];
    const applied: number[] = [];
    const onFeedback = async (items: ValidationFeedback[]) => void applied.push(...items.map((i) => i.cursor));
    expect((await client({ onFeedback }).syncOnce()).feedbackApplied).toBe(3);
    expect(server.ackedCursor).toBe(3);
    expect(JSON.parse(await readFile(join(dir, 'state', 'feedback-cursor.json'), 'utf8'))).toMatchObject({
      applied: 3,
      acked: 3,
    });
    server.feedback.push(item(4));
    expect((await client({ onFeedback }).syncOnce()).feedbackApplied).toBe(1);
    expect(applied).toEqual([1, 2, 3, 4]);
  });

  it('does not move the cursor when applying fails, and re-acks an ack lost to a crash', async () => {
    server.feedback = [item(1)];
    const c = client({ onFeedback: () => Promise.reject(new Error('adaptation busy')) });
    expect((await c.syncOnce()).error).toMatch(/adaptation busy/);
    expect(server.ackedCursor).toBe(0);
    server.faults.push({ match: 'POST /device/v1/feedback/ack', kind: 'status', status: 503 });
    const applied: number[] = [];
    const c2 = client({ onFeedback: async (items) => void applied.push(...items.map((i) => i.cursor)) });
    now += 3_600_000;
    expect((await c2.syncOnce()).error).toBeDefined();
    expect(server.ackedCursor).toBe(0);
    now += 3_600_000;
    await client({ onFeedback: async (items) => void applied.push(...items.map((i) => i.cursor)) }).syncOnce();
    expect(server.ackedCursor).toBe(1);
    expect(applied).toEqual([1]);
  });
});

describe('SyncClient model updates', () => {
  async function bundle(options: { corruptFile?: boolean; version?: string } = {}) {
    const version = options.version ?? '1.1.0';
    const model = Buffer.from('not really a tflite model');
    const manifest: BundleManifest = {
      schemaVersion: 1,
      id: 'tiny-model',
      version,
      createdAt: '2026-11-26T10:00:00.000Z',
      model: { path: 'model.tflite', format: 'tflite' },
      input: {
        name: 'input',
        shape: [1, 96, 96, 3],
        dtype: 'uint8',
        colorOrder: 'rgb',
        normalization: { scale: 1, offset: 0 },
        resize: { method: 'area', width: 96, height: 96 },
        grayscaleToRgb: true,
      },
      featureTensor: { name: 'features', dim: 8 },
      labels: ['a', 'b'],
      files: [
        {
          path: 'model.tflite',
          sha256: createHash('sha256')
            .update(options.corruptFile ? 'other' : model)
            .digest('hex'),
          size: model.length,
          mediaType: 'application/octet-stream',
        },
      ],
    };
    const archive = gzipSync(
      await writeTar(
        [
          { path: 'bundle.json', bytes: Buffer.from(JSON.stringify(manifest)) },
          { path: 'model.tflite', bytes: model },
        ],
        new Date(0),
      ),
    );
    const sha = createHash('sha256').update(archive).digest('hex');
    const downloadPath = `/device/v1/models/tiny-model/versions/${version}/bundle`;
    return {
      body: {
        schemaVersion: 1 as const,
        modelId: 'tiny-model',
        version,
        bundleSha256: sha,
        bundleSize: archive.length,
        downloadPath,
        assignedAt: '2026-11-26T10:10:00.000Z',
      },
      etag: `"tiny-model-${version}"`,
      bundle: archive,
    };
  }

  it('downloads, verifies and installs a new assignment, reports it, then polls with the ETag (304)', async () => {
    server.assignment = await bundle();
    const seen: string[] = [];
    const install = async (stagingDir: string) => void seen.push(...(await readdir(stagingDir)).sort());
    expect((await client({ install }).syncOnce()).model).toBe('installed');
    expect(seen).toEqual(['bundle.json', 'model.tflite']);
    expect(server.reports).toMatchObject([{ modelId: 'tiny-model', version: '1.1.0', status: 'installed' }]);
    const r = await client({ install }).syncOnce(); // restarted device: etag persisted, heartbeat says unchanged
    expect(r.model).toBeUndefined();
    expect(server.assignmentRequests).toEqual([undefined]);
    server.assignment.etag = '"tiny-model-1.1.0-b"'; // e.g. re-assigned: the poll sends the old etag
    server.assignmentRequests.length = 0;
    const c = client({ install });
    await c.syncOnce();
    expect(server.assignmentRequests).toEqual(['"tiny-model-1.1.0"']);
  });

  it('answers 304 Not Modified with nothing to do', async () => {
    server.assignment = await bundle();
    const install = vi.fn(async () => undefined);
    await client({ install }).syncOnce();
    const api = new DeviceApi({ serverUrl: server.url, deviceToken: TOKEN });
    const updater = new ModelUpdater({ api, dir: join(dir, 'state'), install, log });
    expect(await updater.poll()).toMatchObject({ ok: true, value: 'unchanged' });
    expect(server.assignmentRequests.at(-1)).toBe('"tiny-model-1.1.0"');
    expect(install).toHaveBeenCalledTimes(1);
  });

  it('reports a version the device already runs as installed, without downloading it', async () => {
    server.assignment = await bundle();
    const install = vi.fn(async () => undefined);
    const runsIt = client({
      install,
      status: () => ({ ...statusReport(), model: { modelId: 'tiny-model', version: '1.1.0' } }),
    });
    expect((await runsIt.syncOnce()).model).toBe('current');
    expect(install).not.toHaveBeenCalled();
    expect(server.reports).toMatchObject([{ version: '1.1.0', status: 'installed' }]);
  });

  it('stops polling once the assignment is withdrawn (204)', async () => {
    server.assignment = await bundle();
    const c = client({ install: async () => undefined });
    await c.syncOnce();
    server.assignment = undefined;
    expect((await c.syncOnce()).model).toBe('none');
    await c.syncOnce();
    expect(server.assignmentRequests).toEqual([undefined, '"tiny-model-1.1.0"']);
  });

  it('rejects a bundle whose archive hash does not match X-Content-SHA256, without installing', async () => {
    server.assignment = { ...(await bundle()), headerSha: '0'.repeat(64) };
    const install = vi.fn(async () => undefined);
    expect((await client({ install }).syncOnce()).model).toBe('failed');
    expect(install).not.toHaveBeenCalled();
    expect(server.reports).toMatchObject([{ status: 'failed', message: expect.stringMatching(/X-Content-SHA256/) }]);
    expect(await readdir(join(dir, 'state'))).not.toContain('staging');
  });

  it('rejects a bundle whose file fails its bundle.json hash, and reports a failed install hook as rolled back', async () => {
    server.assignment = await bundle({ corruptFile: true });
    const install = vi.fn(async () => undefined);
    expect((await client({ install }).syncOnce()).model).toBe('failed');
    expect(install).not.toHaveBeenCalled();
    expect(server.reports.at(-1)).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/model.tflite fails/),
    });
    await client({ install }).syncOnce(); // the same broken version is not fetched again
    expect(server.reports).toHaveLength(1);
    server.assignment = await bundle({ version: '1.2.0' });
    const broken = vi.fn(() => Promise.reject(new Error('model does not load')));
    expect((await client({ install: broken }).syncOnce()).model).toBe('rolled-back');
    expect(broken).toHaveBeenCalledTimes(1);
    expect(server.reports.at(-1)).toMatchObject({
      version: '1.2.0',
      status: 'rolled-back',
      message: 'install failed: model does not load',
    });
  });
});
