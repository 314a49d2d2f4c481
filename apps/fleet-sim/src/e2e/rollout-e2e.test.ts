import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleManifest, DeviceSettingsView, RolloutView } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_BUNDLE } from '../bundle-location.js';
import { packBundle } from '../bundle-files.js';
import type { SimDevice } from '../sim-device.js';
import { E2eHarness, engines } from './e2e-harness.js';

/**
 * Rollouts end to end: a real `tinysphere serve` (stepping rollouts every second) and real
 * devices (EdgeDevice on the project's model). A configuration version reaches every device and
 * is applied without a restart; a model that fails its install check halts in the canary and
 * never reaches the others.
 */
describe.each(engines(inject('postgresUrl')))('rollouts end to end on $name', (engine) => {
  let h: E2eHarness;
  let devices: SimDevice[];
  let token: string;
  beforeAll(async () => {
    h = await E2eHarness.start(engine, { TINYSPHERE_ROLLOUT_STEP: '1' });
    token = h.api.token;
    devices = [];
    for (let i = 0; i < 4; i++) devices.push(await h.device(i, 'no-drift', { frames: 100_000 }));
    for (const d of devices) await d.syncOnce();
  }, 240_000);
  afterAll(() => h.close(), 60_000);

  const api = async (method: string, route: string, body?: unknown, raw?: Buffer) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw) headers['content-type'] = 'application/gzip';
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const r = await fetch(`${h.server.url}/api/v1${route}`, { method, headers, ...(payload ? { body: payload } : {}) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${route}: ${r.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  /** Devices run frames and sync until the rollout is no longer running. */
  const settle = async (id: string) => {
    for (let round = 0; round < 600; round++) {
      const view = RolloutView.parse(await api('GET', `/rollouts/${id}`));
      if (view.state !== 'running') return view;
      for (const d of devices) {
        for (let f = 0; f < 5; f++) await d.step();
        await d.syncOnce();
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`rollout ${id} did not settle`);
  };

  it('rolls a configuration out to every device, which applies it without a restart and reports so', async () => {
    const before = devices.map((d) => d.device);
    await api('POST', '/configs/e2e-cameras/versions', {
      version: '1.0.0',
      config: { mode: 'server-assisted', syncIntervalSeconds: 7, drift: { samplesPerEpisode: 4 } },
    });
    const started = RolloutView.parse(
      await api('POST', '/rollouts', {
        deployable: { kind: 'config', configId: 'e2e-cameras', version: '1.0.0' },
        target: { kind: 'all' },
        waves: [{ devices: 1 }, { percent: 100 }],
        soakSeconds: 2,
        // Delivery is what this test is about: a few seconds of four devices say little about health.
        thresholds: { maxConfidenceDrop: 1, maxKnnDistanceRatio: 100, maxLatencyP95Ratio: 100, driftRateSlack: 1e6 },
      }),
    );
    const done = await settle(started.id);
    expect({ state: done.state, reason: done.haltReason }).toEqual({ state: 'completed', reason: null });
    expect(done.waves.flatMap((w) => w.devices.map((d) => d.state))).toEqual(Array(4).fill('installed'));
    for (const d of devices) await d.syncOnce(); // a heartbeat after applying: the server sees the mode
    for (const [i, d] of devices.entries()) {
      expect(d.device).toBe(before[i]); // the same running device program: no restart
      expect([d.device.mode, d.device.sync?.syncIntervalSeconds]).toEqual(['server-assisted', 7]);
      const view = DeviceSettingsView.parse(await api('GET', `/devices/${d.deviceId}/settings`));
      expect(view.delivery).toMatchObject({
        status: 'applied',
        reason:
          'config e2e-cameras@1.0.0: mode server-assisted (from the server); sync every 7 s; drift at the next start',
      });
      expect(view.reportedMode).toBe('server-assisted');
    }
  });

  it('halts a model that fails its install check in the canary, and leaves the other devices untouched', async () => {
    const dir = path.join(h.dir, 'broken-bundle');
    await cp(DEFAULT_BUNDLE, dir, { recursive: true });
    const model = Buffer.from('not a tflite model at all');
    await writeFile(path.join(dir, 'model.tflite'), model);
    const m = BundleManifest.parse(JSON.parse(await readFile(path.join(dir, 'bundle.json'), 'utf8')));
    const files = m.files.map((f) =>
      f.path === 'model.tflite'
        ? { ...f, size: model.length, sha256: createHash('sha256').update(model).digest('hex') }
        : f,
    );
    await writeFile(path.join(dir, 'bundle.json'), JSON.stringify({ ...m, version: '9.0.0', files }, null, 2));
    await api('POST', '/models/bundles', undefined, await packBundle(dir));
    const started = RolloutView.parse(
      await api('POST', '/rollouts', {
        deployable: { kind: 'model', modelId: m.id, version: '9.0.0' },
        target: { kind: 'all' },
        waves: [{ devices: 1 }, { percent: 100 }],
        soakSeconds: 2,
      }),
    );
    const canary = started.waves[0]!.devices[0]!.deviceId;
    const done = await settle(started.id);
    expect(done.state).toBe('halted');
    expect(done.haltReason).toMatch(/^wave 1: install-failures 1 > limit 0/);
    expect(done.waves[0]!.devices).toMatchObject([{ deviceId: canary, state: 'rolled-back' }]);
    expect(done.waves[1]!.devices).toEqual([]);
    for (const d of devices) expect(d.device.model).toEqual({ modelId: m.id, version: m.version });
    const deployments = (await api('GET', '/deployments')) as { items: { deviceId: string; assigned: unknown }[] };
    for (const row of deployments.items) expect(row.assigned).toBeNull();
  });
});
