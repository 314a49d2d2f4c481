import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';
import { heartbeatBody } from '../../testing/heartbeat-body.js';
import { expectError } from '../../testing/expect-error.js';

describe.each(databaseEngines())('devices and auth on $name', (engine) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(engine);
  });
  afterAll(() => s.stop());

  it('enrols, heartbeats, and shows the device online with its model and metrics', async () => {
    const e = await s.enrol('hw-a', { name: 'shelf-1', tags: ['shelf'] });
    expect(e.deviceToken.startsWith(`tdv_${e.deviceId}_`)).toBe(true);
    const hb = await s.call('POST', '/device/v1/heartbeat', { token: e.deviceToken, json: heartbeatBody() });
    expect(hb.status).toBe(200);
    expect(await readJson(hb)).toMatchObject({
      deviceId: e.deviceId,
      feedbackPending: 0,
      assignmentEtag: null,
      nextHeartbeatSeconds: 60,
    });
    const d = await readJson(s.call('GET', `/api/v1/devices/${e.deviceId}`, { token: s.viewerToken }));
    expect(d).toMatchObject({
      name: 'shelf-1',
      tags: ['shelf'],
      online: true,
      status: 'ok',
      model: { modelId: 'fashion-mnv2', version: '1.0.0' },
      stateVersion: 3,
    });
  });

  it('re-enrolling a hardwareId (with its device key) keeps the id and revokes the old token', async () => {
    const deviceKey = 'dk_'.padEnd(40, 'k');
    const a = await s.enrol('hw-re', { deviceKey });
    const b = await s.enrol('hw-re', { deviceKey });
    expect(b.deviceId).toBe(a.deviceId);
    await expectError(
      await s.call('POST', '/device/v1/heartbeat', { token: a.deviceToken, json: heartbeatBody() }),
      401,
      'UNAUTHENTICATED',
    );
    expect((await s.call('POST', '/device/v1/heartbeat', { token: b.deviceToken, json: heartbeatBody() })).status).toBe(
      200,
    );
  });

  it('enrolment tokens: single-use, expiring, and unknown ones are refused', async () => {
    const t = await readJson(
      s.call('POST', '/api/v1/enrolment-tokens', { token: s.adminToken, json: { uses: 1, expiresInSeconds: 60 } }),
    );
    const req = (hardwareId: string, enrolmentToken: string) =>
      s.call('POST', '/device/v1/enrol', {
        json: { schemaVersion: 1, enrolmentToken, hardwareId, platform: { arch: 'x64', os: 'linux', node: '20' } },
      });
    expect((await req('hw-t1', t.enrolmentToken)).status).toBe(201);
    await expectError(await req('hw-t2', t.enrolmentToken), 401, 'ENROLMENT_TOKEN_INVALID');
    await expectError(await req('hw-t3', 'tet_not-a-real-token'), 401, 'ENROLMENT_TOKEN_INVALID');
    await s.db.db
      .insertInto('enrolment_tokens')
      .values({ id: 'enr_expired1', token_hash: 'x'.repeat(64), uses_left: null, expires_at: new Date(0) })
      .execute();
  });

  it('rejects missing, malformed and wrong device tokens', async () => {
    await expectError(await s.call('POST', '/device/v1/heartbeat', { json: heartbeatBody() }), 401, 'UNAUTHENTICATED');
    await expectError(
      await s.call('POST', '/device/v1/heartbeat', { token: 'garbage', json: heartbeatBody() }),
      401,
      'UNAUTHENTICATED',
    );
    const e = await s.enrol('hw-wrong');
    const forged = e.deviceToken.slice(0, -3) + 'AAA';
    await expectError(
      await s.call('POST', '/device/v1/heartbeat', { token: forged, json: heartbeatBody() }),
      401,
      'UNAUTHENTICATED',
    );
    await expectError(
      await s.call('POST', '/device/v1/heartbeat', { token: s.adminToken, json: heartbeatBody() }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('bad bodies: malformed JSON, wrong types, unknown fields, wrong content type, oversize', async () => {
    const e = await s.enrol('hw-bad');
    const t = e.deviceToken;
    await expectError(
      await s.call('POST', '/device/v1/heartbeat', {
        token: t,
        body: '{"schemaVersion":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'MALFORMED_JSON',
    );
    await expectError(
      await s.call('POST', '/device/v1/heartbeat', { token: t, json: heartbeatBody({ stateVersion: 'three' }) }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await s.call('POST', '/device/v1/heartbeat', { token: t, json: heartbeatBody({ extra: 1 }) }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await s.call('POST', '/device/v1/heartbeat', { token: t, body: 'hi', headers: { 'content-type': 'text/plain' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    await expectError(
      await s.call('POST', '/device/v1/heartbeat', {
        token: t,
        json: heartbeatBody({ pad: 'x'.repeat(2 * 1024 * 1024) }),
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    await expectError(
      await s.call('POST', '/device/v1/enrol', { json: { schemaVersion: 1 } }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(await s.call('GET', '/device/v1/nope'), 404, 'NOT_FOUND');
  });

  it('people API: roles are enforced, list filters and paginates, update changes name/tags/group/location', async () => {
    await expectError(await s.call('GET', '/api/v1/devices'), 401, 'UNAUTHENTICATED');
    await expectError(
      await s.call('POST', '/api/v1/api-tokens', { token: s.engineerToken, json: { name: 'x', role: 'viewer' } }),
      403,
      'FORBIDDEN',
    );
    const e = await s.enrol('hw-list', { tags: ['lab'] });
    await expectError(
      await s.call('PATCH', `/api/v1/devices/${e.deviceId}`, { token: s.viewerToken, json: { name: 'n' } }),
      403,
      'FORBIDDEN',
    );
    const u = await s.call('PATCH', `/api/v1/devices/${e.deviceId}`, {
      token: s.engineerToken,
      json: { name: 'lab-cam', group: 'g1', location: { description: 'room 2' } },
    });
    expect(await readJson(u)).toMatchObject({
      name: 'lab-cam',
      group: 'g1',
      location: { description: 'room 2' },
      tags: ['lab'],
    });
    await expectError(
      await s.call('PATCH', `/api/v1/devices/${e.deviceId}`, { token: s.engineerToken, json: { colour: 'red' } }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await s.call('PATCH', '/api/v1/devices/dev_missing01', { token: s.engineerToken, json: { name: 'x' } }),
      404,
      'NOT_FOUND',
    );
    const byTag = await readJson(s.call('GET', '/api/v1/devices?tag=lab', { token: s.viewerToken }));
    expect(byTag.items.map((d: { deviceId: string }) => d.deviceId)).toEqual([e.deviceId]);
    const byGroup = await readJson(s.call('GET', '/api/v1/devices?group=g1&online=false', { token: s.viewerToken }));
    expect(byGroup.total).toBe(1);
    const page = await readJson(s.call('GET', '/api/v1/devices?limit=2&offset=1', { token: s.viewerToken }));
    expect(page.items).toHaveLength(2);
    expect(page.total).toBeGreaterThanOrEqual(4);
    await expectError(
      await s.call('GET', '/api/v1/devices?limit=0', { token: s.viewerToken }),
      400,
      'VALIDATION_FAILED',
    );
    const q = await readJson(
      s.call('GET', `/api/v1/devices?q=${encodeURIComponent("%' OR 1=1 --")}`, { token: s.viewerToken }),
    );
    expect(q.total).toBe(0);
  });

  it('serves probes, Prometheus metrics and the OpenAPI document', async () => {
    expect((await s.call('GET', '/healthz')).status).toBe(200);
    expect((await s.call('GET', '/readyz')).status).toBe(200);
    expect(await (await s.call('GET', '/metrics')).text()).toContain('tinysphere_heartbeats_total');
    const doc = await readJson(s.call('GET', '/docs/json'));
    expect(
      doc.paths['/device/v1/heartbeat'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('metrics');
  });
});
