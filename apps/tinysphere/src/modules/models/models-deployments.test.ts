import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../testing/bundle-archive.js';
import { databaseEngines } from '../../testing/database-engines.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';
import { readArchive } from '../packages/archive-reader.js';
import { packBundleDirectory } from './bundle-packing.js';
import { heartbeatBody } from '../../testing/heartbeat-body.js';

const keys = generateKeyPairSync('ed25519');
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe.each(databaseEngines())('models and deployments on $name', (engine) => {
  let s: TestServer;
  let dev: { deviceId: string; deviceToken: string };
  let tagged: { deviceId: string; deviceToken: string };
  beforeAll(async () => {
    s = await startTestServer(engine, { config: { trustedBundleKeys: { 'test-key': publicPem } } });
    dev = await s.enrol('hw-model-1');
    tagged = await s.enrol('hw-model-2', { tags: ['canary-fleet'] });
  });
  afterAll(() => s.stop());

  const uploadBundle = (tgz: Buffer, token = s.engineerToken) => s.call('POST', '/api/v1/models/bundles', { token, body: tgz, headers: { 'content-type': 'application/gzip' } });

  it('registers bundles (plain and signed), lists versions, moves aliases', async () => {
    const v1 = await uploadBundle((await buildBundle('demo-model', '1.0.0')).tgz);
    expect(v1.status).toBe(201);
    expect(await readJson(v1)).toMatchObject({ modelId: 'demo-model', version: '1.0.0', signedBy: null });
    const signed = await buildBundle('demo-model', '1.1.0', { sign: { key: keys.privateKey, keyId: 'test-key' } });
    expect(await readJson(uploadBundle(signed.tgz))).toMatchObject({ version: '1.1.0', signedBy: 'test-key' });
    expect((await uploadBundle(signed.tgz)).status).toBe(201);
    expect((await s.call('PUT', '/api/v1/models/demo-model/aliases/production', { token: s.engineerToken, json: { version: '1.0.0' } })).status).toBe(204);
    expect((await s.call('PUT', '/api/v1/models/demo-model/aliases/canary', { token: s.engineerToken, json: { version: '1.1.0' } })).status).toBe(204);
    const list = await readJson(s.call('GET', '/api/v1/models/demo-model/versions', { token: s.viewerToken }));
    expect(list.items.map((v: { version: string; aliases: string[] }) => [v.version, v.aliases])).toEqual(expect.arrayContaining([['1.0.0', ['production']], ['1.1.0', ['canary']]]));
  });

  it('refuses bad bundles with INVALID_BUNDLE and a conflicting re-upload with 409', async () => {
    const cases = [
      (await buildBundle('demo-model', '2.0.0', { tamper: (m) => void (m.files[0]!.sha256 = 'e'.repeat(64)) })).tgz,
      (await buildBundle('demo-model', '2.0.1', { sign: { key: generateKeyPairSync('ed25519').privateKey, keyId: 'test-key' } })).tgz,
      (await buildBundle('demo-model', '2.0.2', { sign: { key: keys.privateKey, keyId: 'unknown-key' } })).tgz,
      (await buildBundle('demo-model', '2.0.3', { tamper: (m) => void ((m as { labels: unknown }).labels = []) })).tgz,
      Buffer.from('not a tarball'),
    ];
    for (const tgz of cases) {
      const r = await uploadBundle(tgz);
      const body = await readJson(r);
      expect([r.status, body.error.code]).toEqual([body.error.code === 'VALIDATION_FAILED' ? 400 : 422, expect.stringMatching(/INVALID_BUNDLE|VALIDATION_FAILED/)]);
    }
    const other = await uploadBundle((await buildBundle('demo-model', '1.0.0')).tgz);
    expect([other.status, (await readJson(other)).error.code]).toEqual([409, 'CONFLICT']);
    expect((await uploadBundle((await buildBundle('x-model', '1.0.0')).tgz, s.viewerToken)).status).toBe(403);
    expect(await s.blobs.list('models/demo-model/2.')).toEqual([]);
  });

  it('assignment: 204 before, then 200 with ETag, 304 when unchanged; heartbeat carries the ETag; device beats tag', async () => {
    expect((await s.call('GET', '/device/v1/assignment', { token: dev.deviceToken })).status).toBe(204);
    const tagAssign = await s.call('POST', '/api/v1/deployments', { token: s.engineerToken, json: { target: { kind: 'tag', tag: 'canary-fleet' }, modelId: 'demo-model', alias: 'canary' } });
    expect(tagAssign.status).toBe(201);
    const devAssign = await s.call('POST', '/api/v1/deployments', { token: s.engineerToken, json: { target: { kind: 'device', deviceId: dev.deviceId }, modelId: 'demo-model', alias: 'production' } });
    expect(devAssign.status).toBe(201);
    const a = await s.call('GET', '/device/v1/assignment', { token: dev.deviceToken });
    const etag = a.headers.get('etag');
    expect(await readJson(a)).toMatchObject({ modelId: 'demo-model', version: '1.0.0', downloadPath: '/device/v1/models/demo-model/versions/1.0.0/bundle' });
    expect((await readJson(s.call('GET', '/device/v1/assignment', { token: dev.deviceToken }))).trustedKeys).toEqual({ 'test-key': publicPem });
    expect((await s.call('GET', '/device/v1/assignment', { token: dev.deviceToken, headers: { 'if-none-match': etag ?? '' } })).status).toBe(304);
    const t = await readJson(s.call('GET', '/device/v1/assignment', { token: tagged.deviceToken }));
    expect(t.version).toBe('1.1.0');
    await s.call('PATCH', `/api/v1/devices/${tagged.deviceId}`, { token: s.engineerToken, json: { group: 'line-2' } });
    await s.call('POST', '/api/v1/deployments', { token: s.engineerToken, json: { target: { kind: 'group', group: 'line-2' }, modelId: 'demo-model', version: '1.0.0' } });
    expect((await readJson(s.call('GET', '/device/v1/assignment', { token: tagged.deviceToken }))).version).toBe('1.0.0');
    const hb = heartbeatBody({ sentAt: '2026-11-26T10:05:00.000Z', model: { modelId: 'demo-model', version: '0.9.0' }, stateVersion: 0, uptimeSeconds: 5, metrics: { framesProcessed: 1 } });
    expect((await readJson(s.call('POST', '/device/v1/heartbeat', { token: dev.deviceToken, json: hb }))).assignmentEtag).toBe(etag);
    const bad = await s.call('POST', '/api/v1/deployments', { token: s.engineerToken, json: { target: { kind: 'device', deviceId: dev.deviceId }, modelId: 'demo-model', version: '1.0.0', alias: 'production' } });
    expect(bad.status).toBe(400);
    const missing = await s.call('POST', '/api/v1/deployments', { token: s.engineerToken, json: { target: { kind: 'device', deviceId: dev.deviceId }, modelId: 'demo-model', version: '9.9.9' } });
    expect(missing.status).toBe(404);
  });

  it('bundle download only for what is assigned; install reports drive deployment status', async () => {
    const r = await s.call('GET', '/device/v1/models/demo-model/versions/1.0.0/bundle', { token: dev.deviceToken });
    expect(r.status).toBe(200);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(r.headers.get('x-content-sha256'));
    const entries = await readArchive(bytes, { maxEntries: 10, maxExtractedBytes: 1 << 20, maxCompressionRatio: 100 });
    expect([...entries.keys()]).toEqual(['bundle.json', 'model.tflite']);
    expect((await s.call('GET', '/device/v1/models/demo-model/versions/1.1.0/bundle', { token: dev.deviceToken })).status).toBe(404);
    const report = { schemaVersion: 1, modelId: 'demo-model', version: '1.0.0', status: 'installed', at: '2026-11-26T10:06:00.000Z' };
    expect((await s.call('POST', '/device/v1/assignment/report', { token: dev.deviceToken, json: report })).status).toBe(204);
    expect((await s.call('POST', '/device/v1/assignment/report', { token: dev.deviceToken, json: { ...report, status: 'done' } })).status).toBe(400);
    const hb = heartbeatBody({ sentAt: '2026-11-26T10:07:00.000Z', model: { modelId: 'demo-model', version: '1.0.0' }, stateVersion: 0, uptimeSeconds: 5, metrics: { framesProcessed: 1 } });
    await s.call('POST', '/device/v1/heartbeat', { token: dev.deviceToken, json: hb });
    const st = await readJson(s.call('GET', `/api/v1/deployments?deviceId=${dev.deviceId}`, { token: s.viewerToken }));
    expect(st.items).toHaveLength(1);
    const mine = st.items[0];
    expect(mine).toMatchObject({ assigned: { version: '1.0.0', via: 'device' }, running: { version: '1.0.0' }, lastReport: { status: 'installed' }, inSync: true });
  });

  it('packs a bundle directory with only its listed files (the CLI upload path)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bundle-dir-'));
    const b = await buildBundle('dir-model', '1.0.0');
    for (const [name, body] of Object.entries(b.files)) await writeFile(path.join(dir, name), body);
    await mkdir(path.join(dir, 'junk'));
    await writeFile(path.join(dir, 'junk', 'notes.txt'), 'not listed');
    const tgz = await packBundleDirectory(dir);
    expect(await readJson(uploadBundle(tgz))).toMatchObject({ modelId: 'dir-model', version: '1.0.0' });
  });
});
