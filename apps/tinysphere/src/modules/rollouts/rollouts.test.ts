import { RolloutAuditList } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { expectError } from '../../testing/expect-error.js';
import type { LoopDevice } from '../../testing/learning-loop.js';
import {
  assignedVersion,
  getRollout,
  heartbeat,
  reportEpisode,
  reportIn,
  reportInstall,
  rolloutFleet,
  TestClock,
} from '../../testing/rollout-fleet.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';
import { advanceRollouts } from './rollout-engine.js';

const MODEL = 'rollout-model';
const VERSIONS = ['1.0.0', '2.0.0'];
const NEW = { modelId: MODEL, version: '2.0.0' };

describe.each(databaseEngines())('model rollouts on $name', (engine) => {
  let s: TestServer;
  const clock = new TestClock(Date.parse('2026-12-01T08:00:00Z'));
  beforeAll(async () => {
    s = await startTestServer(engine, { now: clock.now, config: { rolloutStepMs: 0 } });
  });
  afterAll(() => s.stop());

  const start = async (group: string, extra: Record<string, unknown> = {}) => {
    const r = await s.call('POST', '/api/v1/rollouts', {
      token: s.engineerToken,
      json: {
        deployable: { kind: 'model', modelId: MODEL, version: '2.0.0' },
        target: { kind: 'group', group },
        waves: [{ devices: 2 }, { percent: 50 }, { percent: 100 }],
        soakSeconds: 3600,
        ...extra,
      },
    });
    expect(r.status).toBe(201);
    return ((await r.json()) as { id: string }).id;
  };
  const step = () => advanceRollouts(s.app.ctx);
  const byId = (devices: LoopDevice[]) => new Map(devices.map((d) => [d.deviceId, d]));
  const installWave = async (id: string, devices: LoopDevice[], wave: number) => {
    const m = byId(devices);
    for (const d of (await getRollout(s, id)).waves[wave]!.devices) {
      const dev = m.get(d.deviceId)!;
      await reportInstall(s, dev, NEW, clock.now());
      await heartbeat(s, dev, NEW);
    }
  };

  const reportWave = async (id: string, devices: LoopDevice[], wave: number) => {
    const m = byId(devices);
    for (const d of (await getRollout(s, id)).waves[wave]!.devices) await reportIn(s, m.get(d.deviceId)!);
  };

  it('takes a healthy model through every wave after each soak, and audits each step', async () => {
    const devices = await rolloutFleet(s, 'good', 10, MODEL, VERSIONS);
    const id = await start('good');
    let view = await getRollout(s, id);
    expect(view.state).toBe('running');
    expect(view.waves.map((w) => w.plannedDevices)).toEqual([2, 5, 10]);
    const canary = new Set(view.waves[0]!.devices.map((d) => d.deviceId));
    expect(canary.size).toBe(2);
    for (const d of devices) expect(await assignedVersion(s, d)).toBe(canary.has(d.deviceId) ? '2.0.0' : '1.0.0');
    await installWave(id, devices, 0);
    clock.advance(30);
    expect((await step()).get(id)).toBe('soaking');
    view = await getRollout(s, id);
    expect(view.waves[0]!.devices.every((d) => d.state === 'installed')).toBe(true);
    expect(view.waves[0]!.health.find((h) => h.signal === 'drift-episodes')).toMatchObject({ breached: false });
    clock.advance(31);
    // Soaked, but the canary has not reported since: what it sends next could be a drift episode.
    expect((await step()).get(id)).toBe('soaking');
    await reportWave(id, devices, 0);
    expect((await step()).get(id)).toBe('promoted');
    expect((await getRollout(s, id)).waves[1]!.devices).toHaveLength(3);
    await installWave(id, devices, 1);
    clock.advance(61);
    await reportWave(id, devices, 1);
    expect((await step()).get(id)).toBe('promoted');
    await installWave(id, devices, 2);
    clock.advance(61);
    await reportWave(id, devices, 2);
    expect((await step()).get(id)).toBe('completed');
    view = await getRollout(s, id);
    expect(view.state).toBe('completed');
    for (const d of devices) expect(await assignedVersion(s, d)).toBe('2.0.0');
    const audit = RolloutAuditList.parse(
      await readJson(s.call('GET', `/api/v1/rollouts/${id}/audit`, { token: s.viewerToken })),
    );
    expect(audit.items.map((a) => a.action)).toEqual([
      'create',
      'start-wave',
      'promote',
      'start-wave',
      'promote',
      'start-wave',
      'complete',
    ]);
    expect(audit.items[0]).toMatchObject({ actor: 'test-engineer', fromState: null, toState: 'running' });
  });

  it('halts a model that raises drift episodes in the canary, rolls the canary back, leaves the rest untouched', async () => {
    const devices = await rolloutFleet(s, 'bad', 10, MODEL, VERSIONS);
    const id = await start('bad');
    await installWave(id, devices, 0);
    const canary = (await getRollout(s, id)).waves[0]!.devices.map((d) => byId(devices).get(d.deviceId)!);
    // The rest of the group (the baseline) has one episode in the hour; each canary device six.
    clock.advance(10);
    const rest = devices.filter((d) => !canary.includes(d));
    await reportEpisode(s, rest[0]!, clock.now());
    for (const d of canary) for (let i = 0; i < 6; i++) await reportEpisode(s, d, new Date(clock.t + i * 60_000));
    clock.advance(51);
    expect((await step()).get(id)).toBe('halted');
    const view = await getRollout(s, id);
    expect(view.state).toBe('halted');
    expect(view.haltReason).toMatch(/^wave 1: drift-episodes/);
    const drift = view.waves[0]!.health.find((h) => h.signal === 'drift-episodes')!;
    expect(drift.breached).toBe(true);
    expect(drift.candidate!).toBeGreaterThan(drift.limit!);
    expect(view.waves[0]!.devices.map((d) => d.state)).toEqual(['rolled-back', 'rolled-back']);
    expect(view.waves.slice(1).flatMap((w) => w.devices)).toEqual([]);
    for (const d of devices) expect(await assignedVersion(s, d)).toBe('1.0.0');
    clock.advance(120);
    expect((await step()).has(id)).toBe(false);
    const audit = await readJson(s.call('GET', `/api/v1/rollouts/${id}/audit`, { token: s.viewerToken }));
    expect(audit.items.slice(-2).map((a: { action: string; actor: string }) => `${a.actor}:${a.action}`)).toEqual([
      'system:halt',
      'system:rollback',
    ]);
  });

  it('halts at once on a failed install, without waiting for the soak', async () => {
    const devices = await rolloutFleet(s, 'broken', 6, MODEL, VERSIONS);
    const id = await start('broken', { rollbackOnHalt: false });
    const first = (await getRollout(s, id)).waves[0]!.devices[0]!;
    await reportInstall(s, byId(devices).get(first.deviceId)!, NEW, clock.now(), 'failed');
    clock.advance(1);
    expect((await step()).get(id)).toBe('halted');
    const view = await getRollout(s, id);
    expect(view.haltReason).toMatch(/install-failures 0.5 > limit 0/);
    expect(view.waves[0]!.devices.find((d) => d.deviceId === first.deviceId)?.state).toBe('failed');
    // Not rolled back: the canary keeps the new version until an operator decides.
    const action = (action: string) =>
      s.call('POST', `/api/v1/rollouts/${id}/actions`, { token: s.engineerToken, json: { action } });
    expect(await assignedVersion(s, byId(devices).get(first.deviceId)!)).toBe('2.0.0');
    expect((await readJson(action('rollback'))).state).toBe('halted');
    expect(await assignedVersion(s, byId(devices).get(first.deviceId)!)).toBe('1.0.0');
    await expectError(await action('resume'), 409, 'CONFLICT');
  });

  it('lets an operator pause, resume, promote and abort, and refuses what does not fit', async () => {
    const devices = await rolloutFleet(s, 'ops', 4, MODEL, VERSIONS);
    const id = await start('ops', { waves: [{ devices: 1 }, { percent: 100 }], autoPromote: false });
    const act = (action: string, token = s.engineerToken) =>
      s.call('POST', `/api/v1/rollouts/${id}/actions`, { token, json: { action, reason: `test ${action}` } });
    expect((await act('pause', s.viewerToken)).status).toBe(403);
    expect((await readJson(act('pause'))).state).toBe('paused');
    clock.advance(120);
    expect((await step()).has(id)).toBe(false);
    await expectError(await act('pause'), 409, 'CONFLICT');
    expect((await readJson(act('resume'))).state).toBe('running');
    await installWave(id, devices, 0);
    clock.advance(61);
    expect((await step()).get(id)).toBe('soaking'); // autoPromote off: waits for a person
    const promoted = await readJson(act('promote'));
    expect(promoted.currentWave).toBe(1);
    expect(promoted.waves[1].devices).toHaveLength(3);
    await expectError(
      await s.call('POST', '/api/v1/rollouts', {
        token: s.engineerToken,
        json: {
          deployable: { kind: 'model', modelId: MODEL, version: '1.0.0' },
          target: { kind: 'group', group: 'ops' },
        },
      }),
      409,
      'CONFLICT',
    );
    expect((await readJson(act('abort'))).state).toBe('aborted');
    const audit = await readJson(s.call('GET', `/api/v1/rollouts/${id}/audit`, { token: s.viewerToken }));
    expect(
      audit.items
        .filter((a: { actor: string }) => a.actor === 'test-engineer')
        .map((a: { action: string }) => a.action),
    ).toEqual(['create', 'start-wave', 'pause', 'resume', 'promote', 'start-wave', 'abort']);
    await expectError(await s.call('GET', '/api/v1/rollouts/ro_unknown00', { token: s.viewerToken }), 404, 'NOT_FOUND');
    await expectError(
      await s.call('POST', '/api/v1/rollouts', {
        token: s.engineerToken,
        json: { deployable: { kind: 'model', modelId: MODEL, version: '9.9.9' }, target: { kind: 'all' } },
      }),
      404,
      'NOT_FOUND',
    );
    await expectError(
      await s.call('POST', '/api/v1/rollouts', {
        token: s.engineerToken,
        json: { deployable: { kind: 'model', modelId: MODEL }, target: { kind: 'all' } },
      }),
      400,
      'VALIDATION_FAILED',
    );
  });
});
