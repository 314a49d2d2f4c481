import { HeartbeatRequest } from '@tinymlops/contracts';
import { sampleScenarioFrames } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { OperationalMonitor } from '../log/operational-monitor.js';
import { HAS_TEST_BUNDLE, openTestDevice, playFrames, serverAndFolder } from './fixtures/test-device.js';
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
  const ctx = serverAndFolder('heartbeat-');

  it('are valid HeartbeatRequests after 0, 1 and 3 frames', async () => {
    const device = await openTestDevice(ctx.dir, { dataDir: 'short', server: ctx.serverConfig() });
    await device.sync?.syncOnce();
    const frames = [...(await sampleScenarioFrames({ scenario: 'no-drift', frames: 3 }))];
    await playFrames(device, frames.slice(0, 1));
    await device.sync?.syncOnce();
    await playFrames(device, frames.slice(1));
    await device.sync?.syncOnce();
    await device.close();
    expect(ctx.server.heartbeats).toHaveLength(3);
    for (const hb of ctx.server.heartbeats) {
      const parsed = HeartbeatRequest.safeParse(hb);
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
    const counts = ctx.server.heartbeats.map((hb) => (hb as HeartbeatRequest).metrics.framesProcessed);
    expect(counts).toEqual([0, 1, 3]);
  }, 60_000);
});
