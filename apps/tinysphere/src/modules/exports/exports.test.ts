import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFieldDataset } from '@tinymlops/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '../../storage/blob-stores/fs.js';
import { migrate } from '../../storage/migrate.js';
import { openDatabase, type OpenDatabase } from '../../storage/open-database.js';
import { databaseEngines } from '../../testing/database-engines.js';
import { expectError } from '../../testing/expect-error.js';
import { seedDriftSamples } from '../../testing/drift-samples.js';
import { tinysphere } from '../../testing/run-cli.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';

describe.each(databaseEngines())('validated-samples export on $name', (engine) => {
  let s: TestServer;
  let dev: { deviceId: string; deviceToken: string };
  let other: { deviceId: string; deviceToken: string };
  let ids: string[];
  beforeAll(async () => {
    s = await startTestServer(engine);
    dev = await s.enrol('hw-export-1');
    other = await s.enrol('hw-export-2');
    ids = await seedDriftSamples(s, dev, 'ep_export01', 6);
    await seedDriftSamples(s, other, 'ep_export02', 2, '1.1.0');
    const validate = (d: string, id: string, body: unknown) =>
      s.call('POST', `/api/v1/drift/samples/${d}/${id}/validation`, { token: s.engineerToken, json: body });
    await validate(dev.deviceId, ids[0] as string, { decision: 'new-class', label: 'bag' });
    await validate(dev.deviceId, ids[1] as string, { decision: 'label', label: 'coat' });
    await validate(dev.deviceId, ids[2] as string, { decision: 'new-class', label: 'bag' });
    await validate(dev.deviceId, ids[3] as string, { decision: 'false-alarm' });
  });
  afterAll(() => s.stop());

  const exportOf = (query: string, token = s.engineerToken) =>
    s.call('GET', `/api/v1/exports/validated-samples?${query}`, { token });

  it('exports the labelled samples as a field dataset a reader of the documented format takes apart', async () => {
    const r = await exportOf('modelId=fashion-mnv2');
    expect([r.status, r.headers.get('content-type')]).toEqual([200, 'application/gzip']);
    expect(r.headers.get('content-disposition')).toMatch(
      /^attachment; filename="fashion-mnv2-field-\d{8}T\d{6}Z\.tar\.gz"$/,
    );
    const ds = await readFieldDataset(new Uint8Array(await r.arrayBuffer()));
    expect(ds.manifest).toMatchObject({
      count: 3,
      featureDim: 16,
      modelVersions: ['1.0.0'],
      classes: [
        { label: 'bag', count: 2 },
        { label: 'coat', count: 1 },
      ],
    });
    expect(ds.samples.map((x) => [x.sampleId, x.label, x.modelVersion, x.deviceId])).toEqual([
      [ids[0], 'bag', '1.0.0', dev.deviceId],
      [ids[1], 'coat', '1.0.0', dev.deviceId],
      [ids[2], 'bag', '1.0.0', dev.deviceId],
    ]);
    for (const [i, x] of ds.samples.entries()) {
      const served = await s.call('GET', `/api/v1/drift/samples/${x.deviceId}/${x.sampleId}/features`, {
        token: s.viewerToken,
      });
      expect(Buffer.from(ds.features[i]?.buffer as ArrayBuffer)).toEqual(Buffer.from(await served.arrayBuffer()));
      const image = ds.images.get(x.image?.path ?? '') as Buffer;
      expect(createHash('sha256').update(image).digest('hex')).toBe(x.image?.sha256);
      expect(x.validatedBy).toBe('test-engineer');
    }
  });

  it('filters by class, device, version and time; an empty result is a 404 naming the filter', async () => {
    const bags = await readFieldDataset(
      new Uint8Array(await (await exportOf('modelId=fashion-mnv2&class=bag')).arrayBuffer()),
    );
    expect(bags.samples.map((x) => x.label)).toEqual(['bag', 'bag']);
    const two = await exportOf('modelId=fashion-mnv2&class=bag&class=coat&limit=2');
    expect((await readFieldDataset(new Uint8Array(await two.arrayBuffer()))).manifest.count).toBe(2);
    const none = await exportOf(`modelId=fashion-mnv2&deviceId=${other.deviceId}`);
    await expectError(none, 404, 'NOT_FOUND');
    expect((await readJson(exportOf(`modelId=fashion-mnv2&deviceId=${other.deviceId}`))).error.message).toContain(
      `devices ${other.deviceId}`,
    );
    await expectError(await exportOf('modelId=fashion-mnv2&version=1.1.0'), 404, 'NOT_FOUND');
    await expectError(await exportOf('modelId=fashion-mnv2&since=2030-01-01T00:00:00Z'), 404, 'NOT_FOUND');
    const until = await exportOf('modelId=fashion-mnv2&until=2026-11-26T10:01:01Z');
    expect((await readFieldDataset(new Uint8Array(await until.arrayBuffer()))).manifest.count).toBe(1);
  });

  it('refuses viewers, bad filters and unknown parameters with clear errors', async () => {
    await expectError(await exportOf('modelId=fashion-mnv2', s.viewerToken), 403, 'FORBIDDEN');
    await expectError(await exportOf('modelId=Fashion'), 400, 'VALIDATION_FAILED');
    await expectError(await exportOf('modelId=fashion-mnv2&since=yesterday'), 400, 'VALIDATION_FAILED');
    await expectError(await exportOf('modelId=fashion-mnv2&colour=red'), 400, 'VALIDATION_FAILED');
    await expectError(await s.call('GET', '/api/v1/exports/validated-samples?modelId=x'), 401, 'UNAUTHENTICATED');
  });
});

describe('tinysphere export samples (the real CLI on PGlite and files)', () => {
  let dir: string;
  let storage: string[];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cli-export-'));
    storage = ['--db', `pglite:${dir}/db`, '--blobs', `file:${dir}/blobs`];
    const blobs = await FsBlobStore.open(path.join(dir, 'blobs'));
    const engine = { name: 'pglite' as const, open: async () => migrated(await openDatabase(`pglite:${dir}/db`)) };
    const s = await startTestServer(engine, { blobs });
    const dev = await s.enrol('hw-cli-export');
    const [a, b] = await seedDriftSamples(s, dev, 'ep_cliexp01', 3);
    for (const id of [a, b]) {
      const body = { decision: 'new-class', label: id === a ? 'bag' : 'ankle boot' };
      await s.call('POST', `/api/v1/drift/samples/${dev.deviceId}/${id}/validation`, {
        token: s.engineerToken,
        json: body,
      });
    }
    await s.stop(); // PGlite belongs to one process: the CLI opens it next
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the dataset file, filtered, and refuses an empty selection with the reason', async () => {
    const out = path.join(dir, 'bags.tar.gz');
    const exportCli = (...args: string[]) =>
      tinysphere(['export', 'samples', ...storage, '--model', 'fashion-mnv2', ...args]);
    const r = await exportCli('--class', 'bag', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      file: out,
      count: 1,
      featureDim: 16,
      classes: [{ label: 'bag', count: 1 }],
    });
    const ds = await readFieldDataset(new Uint8Array(await readFile(out)));
    expect(ds.samples.map((x) => x.label)).toEqual(['bag']);
    const none = await exportCli('--class', 'coat', '--out', out);
    expect([none.code, none.stderr.trim()]).toEqual([
      1,
      expect.stringMatching(
        /^tinysphere: NOT_FOUND: no validated samples of model fashion-mnv2 match the filter \(classes coat\)$/,
      ),
    ]);
    const bad = await exportCli('--since', 'last week');
    expect(bad.stderr).toMatch(/VALIDATION_FAILED: .*since/);
  });
});

async function migrated(d: OpenDatabase): Promise<OpenDatabase> {
  await migrate(d.db);
  return d;
}
