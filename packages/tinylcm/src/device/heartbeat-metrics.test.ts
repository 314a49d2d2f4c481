import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeartbeatRequest } from '@tinymlops/contracts';
import { sampleScenarioFrames } from '@tinymlops/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationalMonitor } from '../log/operational-monitor.js';
import { ENROLMENT_TOKEN, LoopbackDeviceServer } from '../sync/loopback-device-server.fixture.js';
import { HAS_TEST_BUNDLE, openTestDevice, playFrames } from './fixtures/test-device.js';
import { heartbeatMetrics } from './heartbeat-metrics.js';

describe('heartbeatMetrics', () => {
  it('leaves out what no frame has measured yet instead of sending NaN (null on the wire)', () => {
    const m = heartbeatMetrics(new OperationalMonitor().metrics(), 0, false);
    expect(Object.values(m).every((v) => typeof v === 'boolean' || Number.isFinite(v))).toBe(true);
    expect(m).not.toHaveProperty('cpuPercent');
    expect(m).not.toHaveProperty('inferenceMsP50');
  });
});

describe.skipIf(!HAS_TEST_BUNDLE)('heartbeats of a run shorter than one metrics window', () => {
  let server: LoopbackDeviceServer;
  let base: string;
  beforeAll(async () => {
    server = await new LoopbackDeviceServer().start();
    base = await mkdtemp(path.join(tmpdir(), 'heartbeat-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(base, { recursive: true, force: true });
  });

  it('are valid HeartbeatRequests after 0, 1 and 3 frames', async () => {
    const serverConfig = { url: server.url, enrolmentToken: ENROLMENT_TOKEN, syncIntervalSeconds: 3600 };
    const device = await openTestDevice(base, { dataDir: 'short', server: serverConfig });
    await device.sync?.syncOnce();
    const frames = [...(await sampleScenarioFrames({ scenario: 'no-drift', frames: 3 }))];
    await playFrames(device, frames.slice(0, 1));
    await device.sync?.syncOnce();
    await playFrames(device, frames.slice(1));
    await device.sync?.syncOnce();
    await device.close();
    expect(server.heartbeats).toHaveLength(3);
    for (const hb of server.heartbeats) {
      const parsed = HeartbeatRequest.safeParse(hb);
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
    const counts = server.heartbeats.map((hb) => (hb as HeartbeatRequest).metrics.framesProcessed);
    expect(counts).toEqual([0, 1, 3]);
  }, 60_000);
});
