import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { OperationalMode, ValidationFeedback } from '@tinymlops/contracts';
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
const validated = (truth: Map<string, string>, n: number): ValidationFeedback[] =>
  [...truth].slice(0, n).map(([sampleId, label]) => ({
    feedbackId: `fb_${String(++cursor).padStart(8, '0')}`,
    cursor,
    sampleId,
    episodeId: 'ep_00000001',
    decision: 'label',
    label,
    validatedAt: '2026-11-26T12:05:00.000Z',
  }));

const uploadedFiles = () => [...server.stored.values()].map((p) => gunzipSync(p.bytes).toString('latin1')).join('\n');

describe.skipIf(!HAS_TEST_BUNDLE)('EdgeDevice with a server (real model)', () => {
  it('server-assisted: pulls validated labels for the reported drift samples, learns them, uploads snapshot and events', async () => {
    const { device, truth } = await driftedDevice('server-assisted');
    expect(truth.size).toBeGreaterThanOrEqual(10);
    expect([...truth.values()].every((l) => l === 'bag' || l === 'ankle boot')).toBe(true);
    server.feedback.push(...validated(truth, 10));
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

  it('monitoring-only: never pulls feedback, so the model stays as it was', async () => {
    const { device } = await driftedDevice('monitoring-only');
    const bytes = JSON.stringify(device.pipeline.classifier.snapshotState());
    const acked = server.ackedCursor;
    await device.sync?.syncOnce();
    expect(server.ackedCursor).toBe(acked);
    expect(JSON.stringify(device.pipeline.classifier.snapshotState())).toBe(bytes);
    expect(device.status().stateVersion).toBe(0);
    await device.close();
  }, 180_000);
});
