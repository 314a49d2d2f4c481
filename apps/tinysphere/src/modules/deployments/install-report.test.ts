import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../testing/bundle-archive.js';
import { databaseEngines } from '../../testing/database-engines.js';
import { expectError } from '../../testing/expect-error.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * Probe finding 1: an install report is the device's own claim; it must never grant a download.
 * A device reaches only the bundle assigned to it.
 */
describe.each(databaseEngines())('install reports grant nothing on $name', (engine) => {
  let s: TestServer;
  let dev: { deviceId: string; deviceToken: string };
  beforeAll(async () => {
    s = await startTestServer(engine);
    dev = await s.enrol('hw-forger');
    for (const version of ['1.0.0', '2.0.0']) {
      const { tgz } = await buildBundle('secret-model', version);
      const r = await s.call('POST', '/api/v1/models/bundles', {
        token: s.engineerToken,
        body: tgz,
        headers: { 'content-type': 'application/gzip' },
      });
      expect(r.status).toBe(201);
    }
  });
  afterAll(() => s.stop());

  const download = (version: string) =>
    s.call('GET', `/device/v1/models/secret-model/versions/${version}/bundle`, { token: dev.deviceToken });
  const report = (version: string, status = 'installed') =>
    s.call('POST', '/device/v1/assignment/report', {
      token: dev.deviceToken,
      json: { schemaVersion: 1, modelId: 'secret-model', version, status, at: '2026-11-26T10:00:00.000Z' },
    });

  it('does not let a forged "installed" report unlock a bundle that was never assigned', async () => {
    await expectError(await download('2.0.0'), 404, 'NOT_FOUND');
    expect((await report('2.0.0')).status).toBe(204);
    await expectError(await download('2.0.0'), 404, 'NOT_FOUND');
  });

  it('serves the assigned bundle, and only while it is assigned', async () => {
    const assign = (version: string) =>
      s.call('POST', '/api/v1/deployments', {
        token: s.engineerToken,
        json: { target: { kind: 'device', deviceId: dev.deviceId }, modelId: 'secret-model', version },
      });
    expect((await assign('1.0.0')).status).toBe(201);
    expect((await download('1.0.0')).status).toBe(200);
    expect((await report('1.0.0')).status).toBe(204);
    expect((await assign('2.0.0')).status).toBe(201);
    expect((await download('2.0.0')).status).toBe(200);
    await expectError(await download('1.0.0'), 404, 'NOT_FOUND');
  });

  it('refuses a report about a model version the server does not have', async () => {
    await expectError(await report('9.9.9'), 404, 'NOT_FOUND');
  });
});
