import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../testing/database-engines.js';
import { expectError } from '../testing/expect-error.js';
import { heartbeatBody } from '../testing/heartbeat-body.js';
import { buildPackage } from '../testing/package-archive.js';
import { readJson, startTestServer, waitUntil, type TestServer } from '../testing/test-server.js';

/** Text PostgreSQL cannot store: a NUL character, and a lone surrogate (not valid UTF-16, so not UTF-8 either). */
const HAZARDS = { nul: 'a\u0000b', surrogate: 'x\ud800y' };

/**
 * Probe finding 6: U+0000 or a lone surrogate anywhere a device or a person sends text must be a
 * clear 400 (devices retry a 500 for ever), and in a package document a permanent failure (the
 * job dead-lettered on its first attempt), never a transient one.
 */
describe.each(databaseEngines())('text the database cannot store on $name', (engine) => {
  let s: TestServer;
  let dev: { deviceId: string; deviceToken: string };
  beforeAll(async () => {
    s = await startTestServer(engine);
    dev = await s.enrol('hw-unsafe-text');
  });
  afterAll(() => s.stop());

  const enrolBody = (over: Record<string, unknown>) => ({
    schemaVersion: 1,
    enrolmentToken: 'demo-open-enrolment',
    hardwareId: 'hw-unsafe-enrol',
    platform: { arch: 'x64', os: 'linux', node: '20' },
    ...over,
  });

  it.each(Object.entries(HAZARDS))(
    'answers 400 to %s in enrol, heartbeat, install report, PATCH and ?q=',
    async (k, bad) => {
      await expectError(
        await s.call('POST', '/device/v1/enrol', { json: enrolBody({ hardwareId: bad }) }),
        400,
        'VALIDATION_FAILED',
      );
      await expectError(
        await s.call('POST', '/device/v1/enrol', { json: enrolBody({ name: bad }) }),
        400,
        'VALIDATION_FAILED',
      );
      const hb = heartbeatBody({ model: { modelId: bad, version: '1.0.0' } });
      await expectError(
        await s.call('POST', '/device/v1/heartbeat', { token: dev.deviceToken, json: hb }),
        400,
        'VALIDATION_FAILED',
      );
      const report = {
        schemaVersion: 1,
        modelId: 'm',
        version: '1.0.0',
        status: 'failed',
        message: bad,
        at: '2026-11-26T10:00:00.000Z',
      };
      await expectError(
        await s.call('POST', '/device/v1/assignment/report', { token: dev.deviceToken, json: report }),
        400,
        'VALIDATION_FAILED',
      );
      const patch = await s.call('PATCH', `/api/v1/devices/${dev.deviceId}`, {
        token: s.engineerToken,
        json: { name: bad },
      });
      await expectError(patch, 400, 'VALIDATION_FAILED');
      const q = k === 'nul' ? '%00' : '%ED%A0%80'; // a lone surrogate percent-encoded as (C)ESU-8
      await expectError(
        await s.call('GET', `/api/v1/devices?q=${q}`, { token: s.viewerToken }),
        400,
        'VALIDATION_FAILED',
      );
    },
  );

  it('answers 400 to a percent-encoded byte sequence that is not UTF-8 in a query', async () => {
    await expectError(
      await s.call('GET', '/api/v1/devices?q=%ED%A0%80', { token: s.viewerToken }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(await s.call('GET', '/api/v1/devices?q=%00', { token: s.viewerToken }), 400, 'VALIDATION_FAILED');
  });

  it.each(Object.entries(HAZARDS))(
    'fails a package whose document holds %s for good, on its first attempt',
    async (k, bad) => {
      const packageId = `pkg_unsafe_${k}`;
      const records = [{ seq: 1, at: '2026-11-26T10:00:00.000Z', level: 'info', message: bad }];
      const body = await buildPackage({
        packageId,
        deviceId: dev.deviceId,
        documents: { logs: { schemaVersion: 1, records } },
      });
      expect((await s.upload(dev.deviceToken, packageId, body)).status).toBe(202);
      const job = await waitUntil(
        () =>
          s.db.db
            .selectFrom('jobs')
            .select(['status', 'attempts', 'last_error'])
            .where(sql<string>`payload->>'packageId'`, '=', packageId)
            .executeTakeFirstOrThrow(),
        (j) => j.status !== 'running' && j.attempts > 0,
      );
      expect(job).toMatchObject({ status: 'dead', attempts: 1 });
      expect(job.last_error).toMatch(/INVALID_ARCHIVE|not storable|U\+0000|surrogate/);
      const receipt = await readJson(s.call('GET', `/device/v1/packages/${packageId}`, { token: dev.deviceToken }));
      expect(receipt.status).toBe('failed');
    },
  );
});
