import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleScenarioFrames } from '@tinymlops/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENROLMENT_TOKEN, LoopbackDeviceServer } from '../sync/loopback-device-server.fixture.js';
import { DeviceDataDir } from './device-data-dir.js';
import { readDeviceDiskStatus } from './device-disk-status.js';
import { HAS_TEST_BUNDLE, openTestDevice, playFrames } from './fixtures/test-device.js';

describe('DeviceDataDir', () => {
  it('resolves the config’s data folder against the config file’s folder', () => {
    const dir = DeviceDataDir.of({ dataDir: './data' }, '/etc/tinylcm');
    expect(dir.root).toBe(path.resolve('/etc/tinylcm/data'));
    expect(dir.outboxParts.packages).toBe(path.join(dir.root, 'outbox', 'packages'));
  });
});

describe.skipIf(!HAS_TEST_BUNDLE)('a running device writes only the paths DeviceDataDir names', () => {
  let server: LoopbackDeviceServer;
  let base: string;
  beforeAll(async () => {
    server = await new LoopbackDeviceServer().start();
    base = await mkdtemp(path.join(tmpdir(), 'data-dir-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(base, { recursive: true, force: true });
  });

  it('autonomous, enrolled, drifting and synced: every top-level entry is a declared path', async () => {
    const serverConfig = { url: server.url, enrolmentToken: ENROLMENT_TOKEN, syncIntervalSeconds: 3600 };
    const device = await openTestDevice(base, { mode: 'autonomous', dataDir: 'data', server: serverConfig });
    await device.sync?.syncOnce(); // enrols
    server.faults.push({ match: 'POST /device/v1/heartbeat', kind: 'status', status: 503 });
    const episodes = [{ start: 20, end: 220 }];
    await playFrames(device, await sampleScenarioFrames({ scenario: 'held-out-classes', frames: 240, episodes }));
    await device.sync?.syncOnce(); // fails: the outbox keeps its packages
    const onDisk = await readDeviceDiskStatus(device.dataDir);
    expect(onDisk.outbox.packages).toBe(device.outbox.stats().packages);
    expect(onDisk.outbox.packages).toBeGreaterThan(0);
    expect(onDisk.deviceId).toBe(device.sync?.deviceId);
    expect(onDisk.model).toBe('fashion-mnv2@1.0.0');
    await device.close();
    const declared = new Set(device.dataDir.paths());
    const written = (await readdir(device.dataDir.root)).map((n) => path.join(device.dataDir.root, n));
    expect(written.filter((p) => !declared.has(p))).toEqual([]);
    expect(written.length).toBeGreaterThanOrEqual(8);
  }, 120_000);
});
