import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@tinymlops/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiToken } from './modules/devices/tokens.js';
import { openDatabase, type OpenDatabase } from './storage/open-database.js';
import { openLiveStream } from './testing/live-stream.js';
import { buildPackage, driftDoc, metricsDoc } from './testing/package-archive.js';
import { waitUntil } from './testing/test-server.js';

const BIN = fileURLToPath(new URL('../bin/tinysphere.mjs', import.meta.url));
const DEMO = 'demo-open-enrolment';
const serverUrl = inject('postgresUrl');

/** Spawns `tinysphere <args>`; for `serve`, resolves with the URL it listens on. */
function start(args: string[], children: ChildProcess[]): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tinysphere ${args[0]} did not start: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m =
        /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out) ??
        (/worker started/.test(out) ? ['', 'worker'] : null);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] ?? '');
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`tinysphere ${args[0]} exited with ${code}: ${out}`)));
  });
}

describe.skipIf(!serverUrl)('scale-out: two API processes and two worker processes on one PostgreSQL', () => {
  const children: ChildProcess[] = [];
  let dropDb: () => Promise<void>;
  let dbUrl: string;
  let blobDir: string;
  let db: OpenDatabase;
  let apis: string[] = [];

  beforeAll(async () => {
    const t = await createTestDatabase(serverUrl);
    dbUrl = t.url;
    dropDb = t.drop;
    blobDir = await mkdtemp(path.join(tmpdir(), 'scale-out-blobs-'));
    const storage = ['--db', dbUrl, '--blobs', `file:${blobDir}`];
    // Migrate once first so the four processes start against a ready schema (they would also serialise on the advisory lock).
    const migrate = spawn(process.execPath, [BIN, 'migrate', '--db', dbUrl], { stdio: 'ignore' });
    expect(await new Promise((r) => migrate.once('exit', r))).toBe(0);
    apis = await Promise.all(
      [0, 1].map(() =>
        start(
          ['serve', ...storage, '--port', '0', '--no-workers', '--demo-enrolment-token', DEMO, '--log-level', 'info'],
          children,
        ),
      ),
    );
    await Promise.all([0, 1].map(() => start(['worker', ...storage, '--concurrency', '2'], children)));
    db = await openDatabase(dbUrl);
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await db?.close();
    await dropDb?.();
    await rm(blobDir, { recursive: true, force: true });
  });

  it('ingests every package exactly once under concurrent uploads (with replays) through both APIs', async () => {
    const devices = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const r = await fetch(`${apis[i % 2]}/device/v1/enrol`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            schemaVersion: 1,
            enrolmentToken: DEMO,
            hardwareId: `scale-${i}`,
            platform: { arch: 'x64', os: 'linux', node: '20' },
          }),
        });
        return (await r.json()) as { deviceId: string; deviceToken: string };
      }),
    );
    const uploads: { api: string; token: string; id: string; body: Buffer }[] = [];
    for (const [d, dev] of devices.entries()) {
      for (let p = 0; p < 10; p++) {
        const id = `pkg_${dev.deviceId}_${String(p).padStart(4, '0')}`;
        const drift = driftDoc(`ep_${d}_${p}_xxxx`, 3, { withImages: true });
        const documents = p % 2 ? { metrics: metricsDoc(p * 10, p * 10 + 9) } : { 'drift-events': drift.doc };
        const files = p % 2 ? {} : drift.images;
        const body = await buildPackage({ packageId: id, deviceId: dev.deviceId, documents, files });
        uploads.push({ api: apis[(d + p) % 2]!, token: dev.deviceToken, id, body });
      }
    }
    const send = (u: (typeof uploads)[number], api: string) =>
      fetch(`${api}/device/v1/packages/${u.id}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${u.token}`,
          'content-type': 'application/gzip',
          'x-content-sha256': createHash('sha256').update(u.body).digest('hex'),
        },
        body: u.body,
      }).then((r) => r.status);
    // Every package goes to both APIs at once: one wins with 202, the other sees a replay (200).
    const statuses = await Promise.all(uploads.flatMap((u) => [send(u, apis[0]!), send(u, apis[1]!)]));
    expect(statuses.every((s) => s === 200 || s === 202)).toBe(true);
    expect(statuses.filter((s) => s === 202)).toHaveLength(uploads.length);
    const rows = await waitUntil(
      () => db.db.selectFrom('packages').select(['package_id', 'status', 'ingest_count']).execute(),
      (r) => r.length === uploads.length && r.every((p) => p.status === 'ingested' || p.status === 'failed'),
      90_000,
    );
    expect(rows.filter((r) => r.status !== 'ingested')).toEqual([]);
    expect(rows.every((r) => r.ingest_count === 1)).toBe(true);
    // A job is marked done just after its package is marked ingested: wait for both.
    const jobs = await waitUntil(
      () => db.db.selectFrom('jobs').select(['status', 'locked_by']).execute(),
      (j) => j.length === uploads.length && j.every((x) => x.status !== 'queued' && x.status !== 'running'),
      90_000,
    );
    expect(jobs).toHaveLength(uploads.length);
    expect(jobs.every((j) => j.status === 'done')).toBe(true);
    expect(new Set(jobs.map((j) => j.locked_by)).size).toBeGreaterThan(1);
    const samples = await db.db.selectFrom('drift_samples').select('sample_id').execute();
    expect(samples).toHaveLength(6 * 5 * 3);
  });

  it('tells the dashboards of both APIs about a package a separate worker ingested (LISTEN/NOTIFY)', async () => {
    const { apiToken } = await createApiToken(db.db, 'live-viewer', 'viewer');
    const streams = await Promise.all(apis.map((api) => openLiveStream(api, apiToken)));
    try {
      const r = await fetch(`${apis[0]}/device/v1/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          schemaVersion: 1,
          enrolmentToken: DEMO,
          hardwareId: 'scale-live',
          platform: { arch: 'x64', os: 'linux', node: '20' },
        }),
      });
      const dev = (await r.json()) as { deviceId: string; deviceToken: string };
      const id = `pkg_${dev.deviceId}_live`;
      const drift = driftDoc('ep_live_0001', 2, { withImages: true });
      const body = await buildPackage({
        packageId: id,
        deviceId: dev.deviceId,
        documents: { 'drift-events': drift.doc },
        files: drift.images,
      });
      const put = await fetch(`${apis[0]}/device/v1/packages/${id}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${dev.deviceToken}`,
          'content-type': 'application/gzip',
          'x-content-sha256': createHash('sha256').update(body).digest('hex'),
        },
        body,
      });
      expect(put.status).toBe(202);
      // The APIs run no workers and an upload publishes nothing by itself: a "drift" change for
      // this device can only come from a worker process's ingest, relayed through PostgreSQL.
      const ingested = (e: { topics: string[]; deviceIds: string[] }) =>
        e.topics.includes('drift') && e.deviceIds.includes(dev.deviceId);
      for (const live of streams)
        await waitUntil(
          async () => live.events,
          (e) => e.some(ingested),
          60_000,
        );
      const row = await db.db.selectFrom('packages').select('status').where('package_id', '=', id).executeTakeFirst();
      expect(row?.status).toBe('ingested');
    } finally {
      await Promise.all(streams.map((s) => s.close()));
    }
  }, 150_000);
});
