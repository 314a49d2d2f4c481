import { FeedbackPageV2, type FeedbackAckV2, type FeedbackOutcomeReport } from '@tinymlops/contracts';
import { heartbeatBody } from './heartbeat-body.js';
import { buildPackage, driftDoc } from './package-archive.js';
import { readJson, waitUntil, type TestServer } from './test-server.js';

/** A test device: its credentials and the drift samples it reported. */
export interface LoopDevice {
  deviceId: string;
  deviceToken: string;
  samples: string[];
}

/** Options of {@link loopDevice}. */
export interface LoopDeviceOptions {
  model?: { modelId: string; version: string } | null;
  group?: string;
  tags?: string[];
  /** Drift samples to report in one episode (0: none). */
  samples?: number;
  dim?: number;
}

/**
 * Enrols a device, sends a heartbeat with its model (the server records episodes under it) and
 * optionally uploads one drift episode with `samples` samples, waiting until it is ingested.
 * @example
 * const a = await loopDevice(s, 'hw-a', { samples: 4, group: 'lab' });
 */
export async function loopDevice(s: TestServer, hardwareId: string, o: LoopDeviceOptions = {}): Promise<LoopDevice> {
  const d = await s.enrol(hardwareId, { ...(o.tags ? { tags: o.tags } : {}) });
  if (o.group)
    await s.call('PATCH', `/api/v1/devices/${d.deviceId}`, { token: s.adminToken, json: { group: o.group } });
  const model = o.model === undefined ? { modelId: 'fashion-mnv2', version: '1.0.0' } : o.model;
  const hb = await s.call('POST', '/device/v1/heartbeat', { token: d.deviceToken, json: heartbeatBody({ model }) });
  if (hb.status !== 200) throw new Error(`heartbeat ${hb.status}`);
  const n = o.samples ?? 0;
  const samples: string[] = [];
  if (n > 0) {
    const episode = `ep_${hardwareId.replace(/[^A-Za-z0-9]/g, '')}01`;
    const { doc } = driftDoc(episode, n, { dim: o.dim ?? 8, prefix: `smp${hardwareId.replace(/[^A-Za-z0-9]/g, '')}` });
    samples.push(...doc.samples.map((x) => x.sampleId));
    const packageId = `pkg_${hardwareId.replace(/[^A-Za-z0-9]/g, '')}_drift`;
    const body = await buildPackage({ packageId, deviceId: d.deviceId, documents: { 'drift-events': doc } });
    const up = await s.upload(d.deviceToken, packageId, body);
    if (up.status !== 202) throw new Error(`upload ${up.status}: ${await up.text()}`);
    await ingested(s, d.deviceToken, packageId);
  }
  return { deviceId: d.deviceId, deviceToken: d.deviceToken, samples };
}

/** Waits until a package is ingested. */
export async function ingested(s: TestServer, token: string, packageId: string): Promise<void> {
  await waitUntil(
    async () => (await readJson(s.call('GET', `/device/v1/packages/${packageId}`, { token }))).status,
    (st) => st === 'ingested' || st === 'failed',
  );
}

/** The device's v2 inbox page after `after`, checked against the contract. */
export async function pullV2(s: TestServer, d: LoopDevice, after = 0): Promise<FeedbackPageV2> {
  const r = await s.call('GET', `/device/v1/feedback?v=2&after=${after}`, { token: d.deviceToken });
  if (r.status !== 200) throw new Error(`pull ${r.status}: ${await r.text()}`);
  return FeedbackPageV2.parse(await r.json());
}

/** A v2 acknowledgement up to `cursor` with the given outcomes (status only; `at` fixed). */
export async function ackV2(
  s: TestServer,
  d: LoopDevice,
  cursor: number,
  outcomes: Omit<FeedbackOutcomeReport, 'at'>[],
): Promise<number> {
  const body: FeedbackAckV2 = {
    schemaVersion: 2,
    cursor,
    outcomes: outcomes.map((o) => ({ ...o, at: '2026-11-26T11:00:00.000Z' })),
  };
  return (await s.call('POST', '/device/v1/feedback/ack', { token: d.deviceToken, json: body })).status;
}
