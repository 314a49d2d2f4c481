import path from 'node:path';
import { encodeFloat32, type ValidationFeedback } from '@tinymlops/contracts';
import { buildPackage, enrolDevice, Outbox, packageIdFor, SyncClient } from '@tinymlops/tinylcm';
import { ENROLMENT_TOKEN, type E2eHarness } from './e2e-harness.js';

/**
 * A device that speaks only feedback v1, as TinyLCM did before feedback v2: its sync client pulls
 * with `onFeedback` (labels of its own samples, no features, no outcomes). It uploads one drift
 * sample at a time through its own outbox.
 * @example
 * const old = await oldDevice(h, dir); await old.upload('smp_old00001'); await old.client.syncOnce();
 */
export async function oldDevice(h: E2eHarness, dir: string) {
  const request = {
    schemaVersion: 1 as const,
    enrolmentToken: ENROLMENT_TOKEN,
    hardwareId: `old-device-${path.basename(dir)}`,
    platform: { arch: 'x64', os: 'linux', node: process.versions.node },
  };
  const creds = await enrolDevice({ serverUrl: h.server.url, request });
  const outbox = await Outbox.open(path.join(dir, 'outbox'), { budgetBytes: 1 << 20 });
  const received: ValidationFeedback[] = [];
  const status = () => ({
    status: 'ok' as const,
    mode: 'server-assisted' as const,
    model: { modelId: 'fashion-mnv2', version: '1.0.0' },
    stateVersion: 0,
    uptimeSeconds: 1,
    metrics: { framesProcessed: 1, driftActive: false, outboxBytes: 0, outboxPackages: 0, droppedPackages: 0 },
  });
  const onFeedback = async (items: ValidationFeedback[]) => void received.push(...items);
  const client = new SyncClient({ credentials: creds, outbox, stateDir: path.join(dir, 'sync'), status, onFeedback });
  let seq = 0;
  const upload = async (sampleId: string) => {
    const at = new Date().toISOString();
    const episodeId = 'ep_olddevice1';
    const detector = { kind: 'knn-distance', name: 'knn-distance' };
    const event = { eventId: `evt_${sampleId}`, episodeId, phase: 'start' as const, at, frameIndex: 1, detector };
    const sample = { sampleId, episodeId, capturedAt: at, frameIndex: 1, features: encodeFloat32([1, 2, 3, 4]) };
    const drift = {
      events: [{ ...event, statistics: {}, thresholds: {}, sampleIds: [sampleId] }],
      samples: [{ ...sample, prediction: { label: 'coat', confidence: 0.4 } }],
    };
    const packageId = packageIdFor(creds.deviceId, ++seq);
    const pkg = { packageId, deviceId: creds.deviceId, createdAt: new Date(), parts: { drift } };
    await outbox.enqueue(await buildPackage(pkg));
    const round = await client.syncOnce();
    if (round.error) throw new Error(`old device upload failed: ${round.error}`);
  };
  return { deviceId: creds.deviceId, client, outbox, received, upload };
}
