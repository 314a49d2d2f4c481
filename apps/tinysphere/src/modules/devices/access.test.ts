import { AccessTokenList, DeviceCredentialRevocation, TokenRevocation } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';
import { heartbeatBody } from '../../testing/heartbeat-body.js';
import { expectError } from '../../testing/expect-error.js';

describe.each(databaseEngines())('token revocation on $name', (engine) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(engine);
  });
  afterAll(() => s.stop());

  const admin = (method: string, path: string, json?: unknown) =>
    s.call(method, path, { token: s.adminToken, ...(json === undefined ? {} : { json }) });

  it('a revoked API token stops working at once; revoking again answers the first time', async () => {
    const t = await readJson(admin('POST', '/api/v1/api-tokens', { name: 'laptop', role: 'viewer' }));
    expect((await s.call('GET', '/api/v1/session', { token: t.apiToken })).status).toBe(200);
    const first = TokenRevocation.parse(await readJson(admin('DELETE', `/api/v1/api-tokens/${t.tokenId}`)));
    await expectError(await s.call('GET', '/api/v1/session', { token: t.apiToken }), 401, 'UNAUTHENTICATED');
    const again = TokenRevocation.parse(await readJson(admin('DELETE', `/api/v1/api-tokens/${t.tokenId}`)));
    expect(again.revokedAt).toBe(first.revokedAt);
    const list = AccessTokenList.parse(await readJson(admin('GET', '/api/v1/access-tokens')));
    expect(list.apiTokens.find((x) => x.tokenId === t.tokenId)?.revokedAt).toBe(first.revokedAt);
  });

  it('only admins revoke, never their own token, and unknown ids are 404', async () => {
    const t = await readJson(admin('POST', '/api/v1/api-tokens', { name: 'ci', role: 'engineer' }));
    await expectError(
      await s.call('DELETE', `/api/v1/api-tokens/${t.tokenId}`, { token: t.apiToken }),
      403,
      'FORBIDDEN',
    );
    const me = await readJson(admin('GET', '/api/v1/session'));
    await expectError(await admin('DELETE', `/api/v1/api-tokens/${me.tokenId}`), 409, 'CONFLICT');
    expect((await admin('GET', '/api/v1/session')).status).toBe(200);
    await expectError(await admin('DELETE', '/api/v1/api-tokens/tok_doesnotexist'), 404, 'NOT_FOUND');
    await expectError(await admin('DELETE', '/api/v1/enrolment-tokens/enr_doesnotexist'), 404, 'NOT_FOUND');
  });

  it('a revoked enrolment token enrols no further device; enrolled devices keep working', async () => {
    const t = await readJson(admin('POST', '/api/v1/enrolment-tokens', { uses: 5, expiresInSeconds: 3600 }));
    const enrol = (hardwareId: string) =>
      s.call('POST', '/device/v1/enrol', {
        json: {
          schemaVersion: 1,
          enrolmentToken: t.enrolmentToken,
          hardwareId,
          platform: { arch: 'x64', os: 'linux', node: '20' },
        },
      });
    const before = await readJson(enrol('hw-rev-1'));
    TokenRevocation.parse(await readJson(admin('DELETE', `/api/v1/enrolment-tokens/${t.tokenId}`)));
    await expectError(await enrol('hw-rev-2'), 401, 'ENROLMENT_TOKEN_INVALID');
    const list = AccessTokenList.parse(await readJson(admin('GET', '/api/v1/access-tokens')));
    expect(list.enrolmentTokens.find((x) => x.tokenId === t.tokenId)?.usesLeft).toBe(0);
    const hb = await s.call('GET', '/device/v1/assignment', { token: before.deviceToken });
    expect([200, 204]).toContain(hb.status);
  });

  it('revoked device credentials lock the device out until it enrols again; only admins revoke', async () => {
    const hb = heartbeatBody({ model: null, stateVersion: 0, uptimeSeconds: 1, metrics: { framesProcessed: 1 } });
    const d = await s.enrol('hw-stolen');
    const beat = (token: string) => s.call('POST', '/device/v1/heartbeat', { token, json: hb });
    expect((await beat(d.deviceToken)).status).toBe(200);
    const path = `/api/v1/devices/${d.deviceId}/credentials`;
    await expectError(await s.call('DELETE', path, { token: s.engineerToken }), 403, 'FORBIDDEN');
    const r = DeviceCredentialRevocation.parse(await readJson(admin('DELETE', path)));
    expect(r.deviceId).toBe(d.deviceId);
    await expectError(await beat(d.deviceToken), 401, 'UNAUTHENTICATED');
    await expectError(await s.call('GET', '/device/v1/feedback', { token: d.deviceToken }), 401, 'UNAUTHENTICATED');
    const again = await s.enrol('hw-stolen'); // with a valid enrolment token it may come back
    expect(again.deviceId).toBe(d.deviceId);
    expect((await beat(again.deviceToken)).status).toBe(200);
    await expectError(await admin('DELETE', '/api/v1/devices/dev_doesnotexist/credentials'), 404, 'NOT_FOUND');
  });

  it('device requests checked together each get their own answer', async () => {
    const a = await s.enrol('hw-batch-a');
    const b = await s.enrol('hw-batch-b');
    const forged = `${b.deviceToken.slice(0, -4)}AAAA`;
    const tokens = [
      a.deviceToken,
      forged,
      b.deviceToken,
      a.deviceToken,
      `tdv_dev_nosuchdevice_${'x'.repeat(43)}`,
      forged,
    ];
    // Sent at once, so they are looked up in one batch.
    const statuses = await Promise.all(
      tokens.map((token) => s.call('GET', '/device/v1/feedback', { token }).then((r) => r.status)),
    );
    expect(statuses).toEqual([200, 401, 200, 200, 401, 401]);
  });
});
