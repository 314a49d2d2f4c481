/**
 * The device side of `npm run bench:server`'s heartbeat phase: enrolment, then heartbeats from
 * many connections, each counted only on a 200.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Pool } from 'undici';
import { DEMO_ENROLMENT_TOKEN, HB_CONNECTIONS, OPTIONS } from './server-load-options.js';

/** An enrolled bench device. */
export interface BenchDevice {
  deviceId: string;
  token: string;
}

/**
 * Enrols `n` devices with the demo enrolment token.
 * @example
 * const devices = await enrol(pool, 200);
 */
export async function enrol(pool: Pool, n: number): Promise<BenchDevice[]> {
  const devices: BenchDevice[] = [];
  for (let i = 0; i < n; i++) {
    const r = await pool.request({
      path: '/device/v1/enrol',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        schemaVersion: 1,
        enrolmentToken: DEMO_ENROLMENT_TOKEN,
        hardwareId: `bench-${i}-${randomBytes(3).toString('hex')}`,
        platform: { arch: os.arch(), os: 'linux', node: process.versions.node },
      }),
    });
    const b = (await r.body.json()) as { deviceId: string; deviceToken: string };
    devices.push({ deviceId: b.deviceId, token: b.deviceToken });
  }
  return devices;
}

/**
 * Heartbeats from HB_CONNECTIONS connections for `OPTIONS.seconds`, the devices in turn; each
 * latency is recorded, only 200s count.
 * @example
 * const { perSec, lat, failed } = await heartbeats(pool, devices);
 */
export async function heartbeats(
  pool: Pool,
  devices: readonly BenchDevice[],
): Promise<{ perSec: number; lat: number[]; failed: number }> {
  const body = JSON.stringify({
    schemaVersion: 1,
    sentAt: new Date().toISOString(),
    status: 'ok',
    mode: 'monitoring-only',
    model: { modelId: 'bench', version: '1.0.0' },
    stateVersion: 1,
    uptimeSeconds: 1,
    metrics: { framesProcessed: 60, driftActive: false, outboxBytes: 0, outboxPackages: 0, droppedPackages: 0 },
  });
  const lat: number[] = [];
  let ok = 0;
  let i = 0;
  const end = performance.now() + OPTIONS.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const d = devices[i++ % devices.length]!;
      const t = performance.now();
      const r = await pool.request({
        path: '/device/v1/heartbeat',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${d.token}` },
        body,
      });
      await r.body.dump();
      lat.push(performance.now() - t);
      if (r.statusCode === 200) ok++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: HB_CONNECTIONS }, worker));
  return { perSec: Math.round(ok / ((performance.now() - t0) / 1000)), lat, failed: lat.length - ok };
}

/**
 * Mean heartbeats per database statement, from the server's group-commit histogram.
 * @example
 * await meanHeartbeatBatch(pool); // "28.4"
 */
export async function meanHeartbeatBatch(pool: Pool): Promise<string> {
  const r = await pool.request({ path: '/metrics', method: 'GET' });
  const text = await r.body.text();
  const sum = /tinysphere_heartbeat_batch_size_sum (\S+)/.exec(text)?.[1];
  const count = /tinysphere_heartbeat_batch_size_count (\S+)/.exec(text)?.[1];
  return sum && count ? (Number(sum) / Math.max(1, Number(count))).toFixed(1) : '?';
}
