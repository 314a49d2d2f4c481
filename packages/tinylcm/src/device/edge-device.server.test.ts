import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FeedbackItem, OperationalMode } from '@tinymlops/contracts';
import { FASHION_MNIST_CLASSES, sampleScenarioFrames, type ScenarioFrame } from '@tinymlops/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENROLMENT_TOKEN, LoopbackDeviceServer } from '../sync/loopback-device-server.fixture.js';
import { HAS_TEST_BUNDLE, openTestDevice, playFrames } from './fixtures/test-device.js';

const dirs: string[] = [];
let server: LoopbackDeviceServer;
beforeAll(async () => void (server = await new LoopbackDeviceServer().start()));
afterAll(async () => {
  await server.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** A device on the loopback server that has run a held-out-class episode; returns the truth of each quarantined sample. */
async function driftedDevice(mode: OperationalMode) {
  const dir = mkdtempSync(path.join(tmpdir(), 'edge-server-'));
  dirs.push(dir);
  const serverConfig = { url: server.url, enrolmentToken: ENROLMENT_TOKEN, syncIntervalSeconds: 3600 };
  const extra = { mode, dataDir: dir, server: serverConfig, drift: { samplesPerEpisode: 40 } };
  const device = await openTestDevice(dir, extra, { hardwareId: `hw-${mode}` });
  const truth = new Map<string, string>();
  const after = (f: ScenarioFrame) => {
    const last = device.adaptation.quarantine.pending().at(-1);
    if (last && !truth.has(last.sampleId)) truth.set(last.sampleId, FASHION_MNIST_CLASSES[f.label] ?? '');
  };
  const episodes = [{ start: 80, end: 200 }];
  const stream = await sampleScenarioFrames({ scenario: 'held-out-classes', frames: 200, seed: 4, episodes });
  await playFrames(device, stream, { after });
  return { device, truth };
}

let cursor = 0;
// v2 labels of the device's own samples, without features: the device uses its local copies.
// The newest samples: the quarantine keeps only its latest 100, and a long episode quarantines more.
const validated = (truth: Map<string, string>, n: number): FeedbackItem[] =>
  [...truth].slice(-n).map(([sampleId, label]) => {
    cursor++;
    const at = '2026-11-26T12:05:00.000Z';
    const from = { source: 'own' as const, sourceDeviceId: 'dev_00000001', model: null, features: null };
    const what = { kind: 'label' as const, decision: 'label' as const, label, sampleId, episodeId: 'ep_00000001' };
    const id = { feedbackId: `fb_${String(cursor).padStart(8, '0')}`, cursor, issuedAt: at };
    return { ...id, ...what, ...from, validatedAt: at };
  });

const uploadedFiles = () => [...server.stored.values()].map((p) => gunzipSync(p.bytes).toString('latin1')).join('\n');

describe.skipIf(!HAS_TEST_BUNDLE)('EdgeDevice with a server (real model)', () => {
  it('server-assisted: pulls validated labels for the reported drift samples, learns them, uploads snapshot and events', async () => {
    const { device, truth } = await driftedDevice('server-assisted');
    expect(truth.size).toBeGreaterThanOrEqual(10);
    expect([...truth.values()].every((l) => l === 'bag' || l === 'ankle boot')).toBe(true);
    server.inbox.push(...validated(truth, 10));
    await device.sync?.syncOnce(); // enrol, upload the drift reports, pull and apply the feedback
    expect(device.pipeline.classifier.classes).toEqual(expect.arrayContaining(['bag']));
    expect(device.status().stateVersion).toBeGreaterThan(0);
    await device.sync?.syncOnce(); // uploads what the feedback caused
    const files = uploadedFiles();
    expect(files).toContain('state/snapshot.json');
    expect(files).toContain('adaptation.json');
    expect(files).toContain('"feedback-applied"');
    await device.close();
  }, 180_000);

  it('monitoring-only: refuses validated labels and says why, so the model stays as it was', async () => {
    const { device, truth } = await driftedDevice('monitoring-only');
    const bytes = JSON.stringify(device.pipeline.classifier.snapshotState());
    expect(truth.size).toBe(0); // nothing was quarantined
    server.inbox = [];
    server.inbox.push(...validated(new Map([['smp_monitor001', 'bag']]), 1));
    await device.sync?.syncOnce();
    const ack = server.acks.at(-1) as { outcomes: { status: string }[] };
    expect(ack.outcomes.map((o) => o.status)).toEqual(['rejected']);
    expect(JSON.stringify(device.pipeline.classifier.snapshotState())).toBe(bytes);
    expect(device.status().stateVersion).toBe(0);
    await device.close();
  }, 180_000);
});
