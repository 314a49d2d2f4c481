import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { expectError } from '../../testing/expect-error.js';
import { heartbeatBody } from '../../testing/heartbeat-body.js';
import { buildPackage, metricsDoc } from '../../testing/package-archive.js';
import { DEMO_TOKEN, readJson, startTestServer, type TestServer } from '../../testing/test-server.js';

const KEY_A = 'dk_'.padEnd(48, 'a');
const KEY_B = 'dk_'.padEnd(48, 'b');
const platform = { arch: 'x64', os: 'linux', node: '20' };

/** Probe finding 8, device side of auth: takeover by hardwareId, throttling, 401 first, one `msg`, Content-Type case. */
describe.each(databaseEngines())('enrolment and device auth against hostile clients on $name', (engine) => {
  let s: TestServer;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(...c.toString().split('\n')), cb()) });
    s = await startTestServer(engine, { logger: { level: 'info', stream } });
  });
  afterAll(() => s.stop());

  const enrol = (hardwareId: string, over: Record<string, unknown> = {}) =>
    s.call('POST', '/device/v1/enrol', {
      json: { schemaVersion: 1, enrolmentToken: DEMO_TOKEN, hardwareId, platform, ...over },
    });
  const beat = (token: string) => s.call('POST', '/device/v1/heartbeat', { token, json: heartbeatBody() });

  it('refuses to hand an enrolled hardwareId to a client without its device key', async () => {
    const first = await readJson(enrol('hw-victim', { deviceKey: KEY_A }));
    await expectError(await enrol('hw-victim'), 409, 'CONFLICT');
    await expectError(await enrol('hw-victim', { deviceKey: KEY_B }), 409, 'CONFLICT');
    expect((await beat(first.deviceToken)).status).toBe(200); // the victim keeps working
    // The device itself (same key: it lost its token, e.g. a crash before it saved the answer) gets back in.
    const again = await readJson(enrol('hw-victim', { deviceKey: KEY_A }));
    expect(again.deviceId).toBe(first.deviceId);
    await expectError(await beat(first.deviceToken), 401, 'UNAUTHENTICATED');
    expect((await beat(again.deviceToken)).status).toBe(200);
  });

  it('lets a device without a key back in only after an admin revoked its credentials', async () => {
    const first = await readJson(enrol('hw-keyless'));
    await expectError(await enrol('hw-keyless'), 409, 'CONFLICT');
    const revoke = await s.call('DELETE', `/api/v1/devices/${first.deviceId}/credentials`, { token: s.adminToken });
    expect(revoke.status).toBe(200);
    const back = await enrol('hw-keyless', { deviceKey: KEY_B });
    expect(back.status).toBe(201);
    expect((await readJson(back)).deviceId).toBe(first.deviceId);
    await expectError(await enrol('hw-keyless'), 409, 'CONFLICT'); // the key it enrolled with now guards it
  });

  it('answers 401 before judging the body: bad JSON, wrong type or too large, on device and people routes', async () => {
    const bad = { body: '{"oops":', headers: { 'content-type': 'application/json' } };
    await expectError(await s.call('POST', '/device/v1/heartbeat', bad), 401, 'UNAUTHENTICATED');
    await expectError(await s.call('POST', '/device/v1/heartbeat', { ...bad, token: 'tdv_x' }), 401, 'UNAUTHENTICATED');
    await expectError(await s.call('PATCH', '/api/v1/devices/dev_abcdefgh', bad), 401, 'UNAUTHENTICATED');
    await expectError(await s.call('POST', '/device/v1/assignment/report', bad), 401, 'UNAUTHENTICATED');
    const form = { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    await expectError(await s.call('POST', '/api/v1/deployments', form), 401, 'UNAUTHENTICATED');
    const big = { body: `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`, headers: { 'content-type': 'application/json' } };
    await expectError(await s.call('POST', '/device/v1/feedback/ack', big), 401, 'UNAUTHENTICATED');
  });

  it('matches Content-Type case-insensitively (RFC 9110), for JSON and package uploads', async () => {
    const dev = await s.enrol('hw-case');
    const hb = await s.call('POST', '/device/v1/heartbeat', {
      token: dev.deviceToken,
      body: JSON.stringify(heartbeatBody()),
      headers: { 'content-type': 'Application/JSON; Charset=UTF-8' },
    });
    expect(hb.status).toBe(200);
    const body = await buildPackage({
      packageId: 'pkg_case_0001',
      deviceId: dev.deviceId,
      documents: { metrics: metricsDoc(1, 3) },
    });
    const put = await s.call('PUT', '/device/v1/packages/pkg_case_0001', {
      token: dev.deviceToken,
      body,
      headers: {
        'content-type': 'Application/GZIP',
        'x-content-sha256': createHash('sha256').update(body).digest('hex'),
      },
    });
    expect(put.status).toBe(202);
  });

  it('writes each rejection as one log line with one msg key', async () => {
    lines.length = 0;
    await s.call('GET', '/api/v1/devices', { token: `tap_tok_abcdefgh_${'x'.repeat(43)}` });
    const rejected = lines.filter((l) => l.includes('request rejected'));
    expect(rejected.length).toBeGreaterThan(0);
    for (const l of rejected) expect(l.match(/"msg":/g)).toHaveLength(1);
  });
});

describe.each(databaseEngines().slice(0, 1))('throttling who is not (yet) a device ($name)', (engine) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(engine, { config: { enrolmentsPerMinute: 6, authFailuresPerMinute: 6 } });
  });
  afterAll(() => s.stop());

  it('rate-limits enrolment per client address with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await s.call('POST', '/device/v1/enrol', {
        json: { schemaVersion: 1, enrolmentToken: 'tet_not-a-real-token', hardwareId: `hw-flood-${i}`, platform },
      });
      statuses.push(r.status);
      if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 6)).toEqual(Array(6).fill(401));
    expect(statuses.slice(6)).toEqual(Array(4).fill(429));
  });

  it('rate-limits requests with bad credentials per client address, before any lookup', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const token = `tdv_dev_guess${i}x_${'x'.repeat(43)}`;
      statuses.push((await s.call('POST', '/device/v1/heartbeat', { token, json: heartbeatBody() })).status);
    }
    expect(statuses.slice(0, 6)).toEqual(Array(6).fill(401));
    expect(statuses.slice(6)).toEqual(Array(4).fill(429));
    const people = await s.call('GET', '/api/v1/devices', { token: `tap_tok_guess01_${'y'.repeat(43)}` });
    expect(people.status).toBe(429);
  });
});
