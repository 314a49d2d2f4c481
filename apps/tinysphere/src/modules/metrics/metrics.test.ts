import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { buildPackage, metricsDoc } from '../../testing/package-archive.js';
import { readJson, startTestServer, waitUntil, type TestServer } from '../../testing/test-server.js';
import { heartbeatBody } from '../../testing/heartbeat-body.js';

describe.each(databaseEngines())('fleet metrics on $name', (engine) => {
  let s: TestServer;
  let dev: { deviceId: string; deviceToken: string };
  beforeAll(async () => {
    s = await startTestServer(engine);
    dev = await s.enrol('hw-metrics-1');
    await s.enrol('hw-metrics-2');
    await s.upload(
      dev.deviceToken,
      'pkg_met_00001',
      await buildPackage({
        packageId: 'pkg_met_00001',
        deviceId: dev.deviceId,
        documents: { metrics: metricsDoc(0, 59) },
      }),
    );
    await waitUntil(
      async () =>
        (await readJson(s.call('GET', '/device/v1/packages/pkg_met_00001', { token: dev.deviceToken }))).status,
      (st) => st === 'ingested',
    );
  });
  afterAll(() => s.stop());

  it('serves a device metric as a bucketed time series', async () => {
    const r = await readJson(
      s.call(
        'GET',
        `/api/v1/metrics/series?name=inference_ms&deviceId=${dev.deviceId}&bucketSeconds=30&since=2026-11-26T00:00:00.000Z`,
        { token: s.viewerToken },
      ),
    );
    // Records are at seconds 0..59 of one minute, values 10 + seq % 7.
    expect(r.points).toHaveLength(2);
    expect(r.points[0]).toMatchObject({ bucket: '2026-11-26T10:00:00.000Z', n: 30, min: 10, max: 16 });
    const bad = await s.call('GET', '/api/v1/metrics/series?name=Bad-Name', { token: s.viewerToken });
    expect(bad.status).toBe(400);
  });

  it('summarises the fleet', async () => {
    const hb = heartbeatBody({
      sentAt: '2026-11-26T10:05:00.000Z',
      mode: 'autonomous',
      model: null,
      stateVersion: 1,
      uptimeSeconds: 5,
      metrics: { framesProcessed: 1, driftActive: true },
    });
    await s.call('POST', '/device/v1/heartbeat', { token: dev.deviceToken, json: hb });
    const f = await readJson(s.call('GET', '/api/v1/metrics/fleet', { token: s.viewerToken }));
    expect(f).toMatchObject({
      devices: 2,
      online: 1,
      driftActive: 1,
      pendingSamples: 0,
      packagesFailed: 0,
      deadJobs: 0,
    });
    expect((await s.call('GET', '/api/v1/metrics/fleet')).status).toBe(401);
  });
});
