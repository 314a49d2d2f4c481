import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AccessTokenList,
  DeviceTablePage,
  DeviceTimeline,
  DriftSampleDetail,
  FeedbackStatusList,
  FleetOverview,
  SessionInfo,
} from '@tinymlops/contracts';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { buildPackage, driftDoc } from '../../testing/package-archive.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';
import { registerDashboardRoutes } from './dashboard-routes.js';

const heartbeat = (mode: string, status = 'ok') => ({
  schemaVersion: 1,
  sentAt: new Date().toISOString(),
  status,
  mode,
  model: { modelId: 'fashion-mnv2', version: '1.0.0' },
  stateVersion: 3,
  uptimeSeconds: 60,
  metrics: { framesProcessed: 60, driftActive: true, outboxBytes: 10, outboxPackages: 1, droppedPackages: 0 },
});

describe.each(databaseEngines())('dashboard read endpoints on $name', (engine) => {
  let s: TestServer;
  let a: { deviceId: string; deviceToken: string };
  let b: { deviceId: string; deviceToken: string };
  const get = async (route: string, token = s.viewerToken) => {
    const r = await s.call('GET', route, { token });
    expect(r.status, route).toBe(200);
    return readJson(r);
  };
  beforeAll(async () => {
    s = await startTestServer(engine);
    a = await s.enrol('hw-dash-a', { name: 'alpha-cam' });
    b = await s.enrol('hw-dash-b', { name: 'beta-cam' });
    await s.enrol('hw-dash-c', { name: 'gamma-cam' });
    await s.call('POST', '/device/v1/heartbeat', { token: a.deviceToken, json: heartbeat('autonomous') });
    await s.call('POST', '/device/v1/heartbeat', {
      token: b.deviceToken,
      json: heartbeat('monitoring-only', 'degraded'),
    });
    const { doc, images } = driftDoc('ep_dash0001', 3, { withImages: true });
    for (const smp of doc.samples)
      smp.neighbours = [
        { label: 'bag', distance: 2.5 },
        { label: 'coat', distance: 3 },
      ];
    const predictions = Array.from({ length: 5 }, (_, seq) => ({
      seq,
      at: new Date(Date.UTC(2026, 10, 26, 10, 0, seq)).toISOString(),
      label: 'bag',
      confidence: 0.9,
      knnDistance: 2 + seq,
      latencyMs: 40,
    }));
    const body = await buildPackage({
      packageId: 'pkg_dash_0001',
      deviceId: a.deviceId,
      files: images,
      documents: { 'drift-events': doc, 'prediction-samples': { schemaVersion: 1, records: predictions } },
    });
    expect((await s.upload(a.deviceToken, 'pkg_dash_0001', body)).status).toBe(202);
    for (let i = 0; i < 400 && (await get('/api/v1/drift/samples')).items.length < 3; i++)
      await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(() => s.stop());

  it('tells a token who it is, and lists tokens only to admins', async () => {
    expect(SessionInfo.parse(await get('/api/v1/session'))).toMatchObject({ name: 'test-viewer', role: 'viewer' });
    expect((await s.call('GET', '/api/v1/access-tokens', { token: s.viewerToken })).status).toBe(403);
    const list = AccessTokenList.parse(await get('/api/v1/access-tokens', s.adminToken));
    expect(list.apiTokens.map((t) => t.name).sort()).toEqual(['test-admin', 'test-engineer', 'test-viewer']);
  });

  it('summarises the fleet, drift awaiting review and recent events', async () => {
    const o = FleetOverview.parse(await get('/api/v1/overview'));
    expect(o.devices).toEqual({ total: 3, online: 2, stale: 0, offline: 1 });
    expect(o.drift).toEqual({ openEpisodes: 0, episodesAwaitingValidation: 1, pendingSamples: 3 });
    expect(o.recentEvents.map((e) => e.kind)).toContain('drift-start');
  });

  it('filters, sorts and pages the device table on the server', async () => {
    const page = (q: string) => get(`/api/v1/fleet/devices?${q}`).then((j) => DeviceTablePage.parse(j));
    expect((await page('sort=name&dir=desc')).items.map((i) => i.device.name)).toEqual([
      'gamma-cam',
      'beta-cam',
      'alpha-cam',
    ]);
    expect((await page('status=degraded')).items.map((i) => i.device.name)).toEqual(['beta-cam']);
    expect((await page('connectivity=offline')).items.map((i) => i.device.name)).toEqual(['gamma-cam']);
    expect((await page('q=ALPHA')).items[0]?.device.deviceId).toBe(a.deviceId);
    const second = await page('limit=1&offset=1');
    expect({ total: second.total, n: second.items.length }).toEqual({ total: 3, n: 1 });
  });

  it('gives a device timeline and a sample with its neighbours and exemplars', async () => {
    const t = DeviceTimeline.parse(await get(`/api/v1/devices/${a.deviceId}/timeline`));
    expect(t.predictions.map((p) => p.knnDistance)).toEqual([2, 3, 4, 5, 6]);
    expect(t.episodes.map((e) => e.episodeId)).toEqual(['ep_dash0001']);
    const sampleId = 'smp_ep_dash0001_0000';
    const label = await s.call('POST', `/api/v1/drift/samples/${a.deviceId}/smp_ep_dash0001_0001/validation`, {
      token: s.engineerToken,
      json: { decision: 'new-class', label: 'bag' },
    });
    expect(label.status).toBe(200);
    const d = DriftSampleDetail.parse(await get(`/api/v1/drift/samples/${a.deviceId}/${sampleId}`));
    expect(d.neighbours).toEqual([
      { label: 'bag', distance: 2.5, exemplar: { deviceId: a.deviceId, sampleId: 'smp_ep_dash0001_0001' } },
      { label: 'coat', distance: 3, exemplar: null },
    ]);
    const f = FeedbackStatusList.parse(await get('/api/v1/drift/feedback-status'));
    expect(f.items).toMatchObject([{ deviceId: a.deviceId, issued: 1, acknowledged: 0 }]);
  });
});

describe('dashboard static serving', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dash-dist-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>spa</title>');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves index.html for client routes, keeps API misses as 404s, and explains a missing build', async () => {
    const app = Fastify();
    await registerDashboardRoutes(app, {} as never, dir);
    expect((await app.inject('/')).body).toContain('spa');
    const deep = await app.inject('/devices/dev_12345678');
    expect({ status: deep.statusCode, body: deep.body }).toMatchObject({
      status: 200,
      body: expect.stringContaining('spa'),
    });
    expect((await app.inject('/api/v1/nothing')).statusCode).toBe(404);
    expect((await app.inject('/assets/missing.js')).statusCode).toBe(404);
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
    const asset = await app.inject('/assets/app.js');
    expect([asset.statusCode, asset.headers['cache-control']]).toEqual([200, 'public, max-age=604800']);
    expect((await app.inject('/assets/..%2f..%2fetc%2fpasswd.js')).statusCode).toBe(404);
  });

  it('explains a missing build, and serves one that appears later without a restart', async () => {
    const later = path.join(dir, 'later');
    const bare = Fastify();
    await registerDashboardRoutes(bare, {} as never, later);
    expect((await bare.inject('/')).body).toContain('npm run build -w @tinymlops/dashboard');
    await mkdir(later);
    await writeFile(path.join(later, 'index.html'), '<!doctype html><title>built later</title>');
    expect((await bare.inject('/devices')).body).toContain('built later');
  });
});
