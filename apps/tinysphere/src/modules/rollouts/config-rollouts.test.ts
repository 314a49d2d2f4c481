import { ConfigVersionList, DeviceSettingsView } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { expectError } from '../../testing/expect-error.js';
import { ackV2, loopDevice, pullV2, type LoopDevice } from '../../testing/learning-loop.js';
import { getRollout, reportIn, TestClock } from '../../testing/rollout-fleet.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';
import { advanceRollouts } from './rollout-engine.js';

describe.each(databaseEngines())('configuration versions and their rollouts on $name', (engine) => {
  let s: TestServer;
  const clock = new TestClock(Date.parse('2026-12-01T08:00:00Z'));
  let devices: LoopDevice[];
  beforeAll(async () => {
    s = await startTestServer(engine, { now: clock.now, config: { rolloutStepMs: 0 } });
    devices = [];
    for (let i = 0; i < 4; i++) devices.push(await loopDevice(s, `hw-config-${i}`, { group: 'cfg' }));
  });
  afterAll(() => s.stop());

  const newVersion = (version: string, config: unknown, token = s.engineerToken) =>
    s.call('POST', '/api/v1/configs/shelf-cameras/versions', { token, json: { version, config } });
  const rollout = async (version: string) => {
    const r = await s.call('POST', '/api/v1/rollouts', {
      token: s.engineerToken,
      json: {
        deployable: { kind: 'config', configId: 'shelf-cameras', version },
        target: { kind: 'group', group: 'cfg' },
        waves: [{ devices: 1 }, { percent: 100 }],
        soakSeconds: 600,
      },
    });
    expect(r.status).toBe(201);
    return ((await r.json()) as { id: string }).id;
  };
  /** What the device's inbox says, and its answer: each settings item applied or refused. */
  const answer = async (d: LoopDevice, status: 'applied' | 'rejected', reason: string) => {
    const page = await pullV2(s, d);
    const settings = page.items.filter((i) => i.kind === 'settings');
    const outcomes = settings.map((i) => ({ feedbackId: i.feedbackId, cursor: i.cursor, status, reason }));
    expect(await ackV2(s, d, page.nextCursor, outcomes)).toBe(204);
    return settings.map((i) => (i.kind === 'settings' ? i.settings : null));
  };

  it('stores schema-checked, immutable configuration versions', async () => {
    expect((await newVersion('1.0.0', { syncIntervalSeconds: 60, mode: 'server-assisted' })).status).toBe(201);
    await expectError(await newVersion('1.0.0', { syncIntervalSeconds: 10 }), 409, 'CONFLICT');
    await expectError(await newVersion('1.0.1', { syncIntervalSeconds: 0 }), 400, 'VALIDATION_FAILED');
    await expectError(await newVersion('1.0.1', { turbo: true }), 400, 'VALIDATION_FAILED');
    expect((await newVersion('1.0.1', {}, s.viewerToken)).status).toBe(403);
    const list = ConfigVersionList.parse(await readJson(s.call('GET', '/api/v1/configs', { token: s.viewerToken })));
    expect(list.items.map((c) => `${c.configId}@${c.version}`)).toEqual(['shelf-cameras@1.0.0']);
  });

  it('rolls a configuration out through the settings inbox, wave by wave, as devices apply it', async () => {
    const id = await rollout('1.0.0');
    const canary = (await getRollout(s, id)).waves[0]!.devices[0]!.deviceId;
    const first = devices.find((d) => d.deviceId === canary)!;
    expect(await answer(first, 'applied', 'config shelf-cameras@1.0.0: sync every 60 s')).toEqual([
      {
        schemaVersion: 1,
        revision: 1,
        config: {
          configId: 'shelf-cameras',
          version: '1.0.0',
          settings: { syncIntervalSeconds: 60, mode: 'server-assisted' },
        },
      },
    ]);
    // Nobody else was sent anything yet.
    for (const d of devices.filter((x) => x !== first)) expect((await pullV2(s, d)).items).toEqual([]);
    clock.advance(11);
    await reportIn(s, first); // a wave moves on once its devices have reported past the soak
    expect((await advanceRollouts(s.app.ctx)).get(id)).toBe('promoted');
    expect((await getRollout(s, id)).waves[0]!.devices[0]).toMatchObject({ state: 'installed' });
    for (const d of devices.filter((x) => x !== first)) await answer(d, 'applied', 'ok');
    clock.advance(11);
    for (const d of devices) await reportIn(s, d);
    expect((await advanceRollouts(s.app.ctx)).get(id)).toBe('completed');
    const view = DeviceSettingsView.parse(
      await readJson(s.call('GET', `/api/v1/devices/${canary}/settings`, { token: s.viewerToken })),
    );
    expect(view.delivery).toMatchObject({ status: 'applied', reason: 'config shelf-cameras@1.0.0: sync every 60 s' });
  });

  it('halts a configuration the canary refuses, and sends the canary its previous one back', async () => {
    expect((await newVersion('2.0.0', { drift: { samplesPerEpisode: 5 } })).status).toBe(201);
    const id = await rollout('2.0.0');
    const wave0 = (await getRollout(s, id)).waves[0]!.devices[0]!.deviceId;
    const refuser = devices.find((d) => d.deviceId === wave0)!;
    await answer(refuser, 'rejected', 'config shelf-cameras@2.0.0 refused: drift.detectors.0: unknown class');
    clock.advance(1);
    expect((await advanceRollouts(s.app.ctx)).get(id)).toBe('halted');
    const view = await getRollout(s, id);
    expect(view.haltReason).toBe('wave 1: install-failures 1 > limit 0');
    expect(view.waves[0]!.devices[0]).toMatchObject({
      state: 'rolled-back',
      message: 'config shelf-cameras@2.0.0 refused: drift.detectors.0: unknown class',
      previous: 'shelf-cameras@1.0.0',
    });
    // Rolled back: the canary is sent 1.0.0 again; the others never saw 2.0.0.
    const resent = await answer(refuser, 'applied', 'back');
    expect(resent.at(-1)?.config?.version).toBe('1.0.0');
    for (const d of devices.filter((x) => x !== refuser)) {
      const sent = (await pullV2(s, d)).items.flatMap((i) =>
        i.kind === 'settings' ? [i.settings.config?.version] : [],
      );
      expect(sent).toEqual(['1.0.0']);
    }
  });
});
