import { DeviceSettingsView } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { ackV2, loopDevice, pullV2, type LoopDevice } from '../../testing/learning-loop.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';

describe.each(databaseEngines())('device settings on $name', (engine) => {
  let s: TestServer;
  let a: LoopDevice;
  let b: LoopDevice;
  beforeAll(async () => {
    s = await startTestServer(engine);
    a = await loopDevice(s, 'hw-settings-a', { group: 'lab' });
    b = await loopDevice(s, 'hw-settings-b', { group: 'lab' });
  });
  afterAll(() => s.stop());

  const view = async (d: LoopDevice) =>
    DeviceSettingsView.parse(
      await readJson(s.call('GET', `/api/v1/devices/${d.deviceId}/settings`, { token: s.viewerToken })),
    );
  const rule = (path: string, mode: string | null, token = s.engineerToken) =>
    s.call('PUT', `/api/v1/settings/${path}`, { token, json: { mode } });
  const settingsOf = async (d: LoopDevice) =>
    (await pullV2(s, d)).items.flatMap((i) => (i.kind === 'settings' ? [i.settings] : []));

  it('a group rule reaches every device of the group; a device rule wins over it', async () => {
    expect((await view(a)).desired).toEqual({ mode: null, source: 'config' });
    expect((await rule('groups/lab', 'server-assisted', s.viewerToken)).status).toBe(403);
    expect(await readJson(rule('groups/lab', 'server-assisted'))).toEqual({
      schemaVersion: 1,
      group: 'lab',
      devicesUpdated: 2,
    });
    expect((await rule('devices/' + a.deviceId, 'autonomous')).status).toBe(200);
    expect(await settingsOf(a)).toEqual([
      { schemaVersion: 1, revision: 1, mode: 'server-assisted' },
      { schemaVersion: 1, revision: 2, mode: 'autonomous' },
    ]);
    expect(await settingsOf(b)).toEqual([{ schemaVersion: 1, revision: 1, mode: 'server-assisted' }]);
    expect(await view(a)).toMatchObject({
      rules: { device: { mode: 'autonomous' }, group: { mode: 'server-assisted' } },
      desired: { mode: 'autonomous', source: 'device' },
      reportedMode: 'monitoring-only',
      delivery: { revision: 2, status: 'queued' },
    });
  });

  it('shows what the device did with the settings, and clearing the rules hands the mode back to its config', async () => {
    const page = await pullV2(s, a);
    const [first, second] = page.items;
    await ackV2(s, a, page.nextCursor, [
      { feedbackId: first!.feedbackId, cursor: first!.cursor, status: 'superseded' },
      { feedbackId: second!.feedbackId, cursor: second!.cursor, status: 'applied' },
    ]);
    expect((await view(a)).delivery).toMatchObject({ revision: 2, status: 'applied' });
    await rule('devices/' + a.deviceId, null);
    await rule('groups/lab', null);
    expect((await settingsOf(a)).at(-1)).toEqual({ schemaVersion: 1, revision: 4, mode: undefined });
    expect((await view(a)).desired).toEqual({ mode: null, source: 'config' });
    expect((await rule('devices/dev_unknown0', 'autonomous')).status).toBe(404);
    expect((await rule('devices/' + a.deviceId, 'turbo')).status).toBe(400);
  });
});
