import { FeedbackPage } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { buildPackage, driftDoc } from '../../testing/package-archive.js';
import { readJson, startTestServer, waitUntil, type TestServer } from '../../testing/test-server.js';
import type { DetectorFactory } from './reanalysis.js';
import { heartbeatBody } from '../../testing/heartbeat-body.js';

/** A stand-in for a TinyLCM detector: fires when the signal drops below `below`. Only the plumbing is under test here. */
const thresholdFactory: DetectorFactory = (kind, options) => {
  if (kind !== 'test-threshold') throw new Error(`unknown detector ${kind}`);
  const below = Number(options['below'] ?? 0.5);
  const d = { driftDetected: false, update: (x: number) => ((d.driftDetected = x < below), d) };
  return d;
};

describe.each(databaseEngines())('drift service on $name', (engine) => {
  let s: TestServer;
  let dev: { deviceId: string; deviceToken: string };
  let other: { deviceId: string; deviceToken: string };
  const samples: string[] = [];
  beforeAll(async () => {
    s = await startTestServer(engine, { detectorFactory: thresholdFactory });
    dev = await s.enrol('hw-drift-1');
    other = await s.enrol('hw-drift-2');
    const { doc, images } = driftDoc('ep_drift001', 6, { withImages: true });
    samples.push(...doc.samples.map((x) => x.sampleId));
    const r = await s.upload(
      dev.deviceToken,
      'pkg_drift_001',
      await buildPackage({
        packageId: 'pkg_drift_001',
        deviceId: dev.deviceId,
        documents: { 'drift-events': doc },
        files: images,
      }),
    );
    expect(r.status).toBe(202);
    await waitUntil(
      async () =>
        (await readJson(s.call('GET', '/device/v1/packages/pkg_drift_001', { token: dev.deviceToken }))).status,
      (st) => st === 'ingested',
    );
  });
  afterAll(() => s.stop());

  const validate = (sampleId: string, body: unknown, token = s.engineerToken) =>
    s.call('POST', `/api/v1/drift/samples/${dev.deviceId}/${sampleId}/validation`, { token, json: body });

  it('lists the closed episode and its pending samples, with image and features', async () => {
    const eps = await readJson(
      s.call('GET', `/api/v1/drift/episodes?deviceId=${dev.deviceId}`, { token: s.viewerToken }),
    );
    expect(eps.items).toEqual([
      expect.objectContaining({
        episodeId: 'ep_drift001',
        open: false,
        samples: 6,
        detector: { kind: 'knn-distance', name: 'knn-distance' },
      }),
    ]);
    const pending = await readJson(
      s.call('GET', `/api/v1/drift/samples?deviceId=${dev.deviceId}&status=pending`, { token: s.viewerToken }),
    );
    expect(pending.items).toHaveLength(6);
    const img = await s.call('GET', `/api/v1/drift/samples/${dev.deviceId}/${samples[0]}/image`, {
      token: s.viewerToken,
    });
    expect([img.status, img.headers.get('content-type'), (await img.arrayBuffer()).byteLength]).toEqual([
      200,
      'image/png',
      64,
    ]);
    const f = await s.call('GET', `/api/v1/drift/samples/${dev.deviceId}/${samples[0]}/features`, {
      token: s.viewerToken,
    });
    expect((await f.arrayBuffer()).byteLength).toBe(16 * 4);
  });

  it('validation becomes feedback with increasing cursors; the device pulls, acks, and heartbeats show what is pending', async () => {
    expect(await readJson(validate(samples[0]!, { decision: 'label', label: 'bag' }))).toMatchObject({
      ok: true,
      feedbackCursor: 1,
    });
    expect(await readJson(validate(samples[1]!, { decision: 'new-class', label: 'umbrella' }))).toMatchObject({
      feedbackCursor: 2,
    });
    const bulk = await readJson(
      s.call('POST', '/api/v1/drift/validations', {
        token: s.engineerToken,
        json: {
          items: [
            { deviceId: dev.deviceId, sampleId: samples[2], validation: { decision: 'false-alarm' } },
            { deviceId: dev.deviceId, sampleId: samples[0], validation: { decision: 'false-alarm' } },
          ],
        },
      }),
    );
    expect(bulk.results.map((r: { ok: boolean; feedbackCursor?: number }) => [r.ok, r.feedbackCursor ?? null])).toEqual(
      [
        [true, 3],
        [false, null],
      ],
    );
    const page = await readJson(s.call('GET', '/device/v1/feedback?after=0&limit=2', { token: dev.deviceToken }));
    expect(FeedbackPage.parse(page)).toMatchObject({ nextCursor: 2, hasMore: true });
    expect(page.items.map((i: { decision: string }) => i.decision)).toEqual(['label', 'new-class']);
    const rest = await readJson(s.call('GET', '/device/v1/feedback?after=2', { token: dev.deviceToken }));
    expect(rest).toMatchObject({
      nextCursor: 3,
      hasMore: false,
      items: [{ cursor: 3, decision: 'false-alarm', sampleId: samples[2] }],
    });
    const hb = heartbeatBody({
      sentAt: '2026-11-26T10:05:00.000Z',
      mode: 'server-assisted',
      model: null,
      stateVersion: 1,
      uptimeSeconds: 5,
      metrics: { framesProcessed: 1, driftActive: true },
    });
    expect(
      (await readJson(s.call('POST', '/device/v1/heartbeat', { token: dev.deviceToken, json: hb }))).feedbackPending,
    ).toBe(3);
    expect(
      (
        await s.call('POST', '/device/v1/feedback/ack', {
          token: dev.deviceToken,
          json: { schemaVersion: 1, cursor: 2 },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await s.call('POST', '/device/v1/feedback/ack', {
          token: dev.deviceToken,
          json: { schemaVersion: 1, cursor: 1 },
        })
      ).status,
    ).toBe(204);
    expect(
      (await readJson(s.call('POST', '/device/v1/heartbeat', { token: dev.deviceToken, json: hb }))).feedbackPending,
    ).toBe(1);
    expect(
      (
        await s.call('POST', '/device/v1/feedback/ack', {
          token: dev.deviceToken,
          json: { schemaVersion: 1, cursor: 99 },
        })
      ).status,
    ).toBe(204);
    expect(
      (await readJson(s.call('POST', '/device/v1/heartbeat', { token: dev.deviceToken, json: hb }))).feedbackPending,
    ).toBe(0);
    const states = await readJson(
      s.call('GET', `/api/v1/drift/samples?deviceId=${dev.deviceId}`, { token: s.viewerToken }),
    );
    const byId = Object.fromEntries(
      states.items.map((i: { sampleId: string; status: string; label: string | null }) => [
        i.sampleId,
        [i.status, i.label],
      ]),
    );
    expect([byId[samples[0]!], byId[samples[1]!], byId[samples[2]!]]).toEqual([
      ['labelled', 'bag'],
      ['labelled', 'umbrella'],
      ['false-alarm', null],
    ]);
  });

  it('keeps devices apart and refuses bad validations', async () => {
    const theirs = await readJson(s.call('GET', '/device/v1/feedback', { token: other.deviceToken }));
    expect(theirs.items).toEqual([]);
    const again = await validate(samples[0]!, { decision: 'label', label: 'bag' });
    expect([again.status, (await readJson(again)).error.code]).toEqual([409, 'CONFLICT']);
    const viewer = await validate(samples[3]!, { decision: 'false-alarm' }, s.viewerToken);
    expect(viewer.status).toBe(403);
    const bad = await validate(samples[3]!, { decision: 'label' });
    expect([bad.status, (await readJson(bad)).error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const missing = await s.call('POST', `/api/v1/drift/samples/${other.deviceId}/${samples[3]}/validation`, {
      token: s.engineerToken,
      json: { decision: 'false-alarm' },
    });
    expect(missing.status).toBe(404);
    expect(
      (
        await s.call('POST', `/api/v1/drift/samples/${dev.deviceId}/${samples[5]}/rejection`, {
          token: s.engineerToken,
        })
      ).status,
    ).toBe(204);
    const badAfter = await s.call('GET', '/device/v1/feedback?after=-1', { token: dev.deviceToken });
    expect(badAfter.status).toBe(400);
  });

  it('aggregates drift per device, model and class over time', async () => {
    const since = '2026-11-26T00:00:00.000Z';
    const byDevice = await readJson(
      s.call('GET', `/api/v1/drift/rates?by=device&since=${since}`, { token: s.viewerToken }),
    );
    expect(byDevice.points).toEqual([
      { bucket: '2026-11-26T10:00:00.000Z', key: dev.deviceId, episodes: 1, samples: 6 },
    ]);
    const top = (by: string, n: number) =>
      readJson(s.call('GET', `/api/v1/drift/rates?by=${by}&since=${since}&top=${n}`, { token: s.viewerToken }));
    expect((await top('device', 1)).points).toEqual(byDevice.points);
    expect((await top('class', 1)).points.map((p: { key: string }) => p.key)).toEqual(['bag']);
    expect((await s.call('GET', `/api/v1/drift/rates?top=0`, { token: s.viewerToken })).status).toBe(400);
    const byModel = await readJson(
      s.call('GET', `/api/v1/drift/rates?by=model&since=${since}`, { token: s.viewerToken }),
    );
    expect(byModel.points[0]).toMatchObject({ key: 'unknown', episodes: 1 });
    const byClass = await readJson(
      s.call('GET', `/api/v1/drift/rates?by=class&since=${since}`, { token: s.viewerToken }),
    );
    expect(byClass.points.map((p: { key: string; samples: number }) => [p.key, p.samples])).toEqual([
      ['bag', 3],
      ['shirt', 3],
    ]);
  });

  it("re-analyses a device's samples through an injected detector", async () => {
    const r = await readJson(
      s.call('POST', `/api/v1/drift/devices/${dev.deviceId}/reanalysis`, {
        token: s.engineerToken,
        json: { detector: { kind: 'test-threshold', options: { below: 0.45 } }, signal: 'confidence' },
      }),
    );
    // Confidences are 0.4 + (i % 5) / 10: samples 0 and 5 (0.4) are below 0.45.
    expect(r).toMatchObject({
      samples: 6,
      detections: [
        { index: 0, sampleId: samples[0] },
        { index: 5, sampleId: samples[5] },
      ],
    });
    const norm = await readJson(
      s.call('POST', `/api/v1/drift/devices/${dev.deviceId}/reanalysis`, {
        token: s.engineerToken,
        json: { detector: { kind: 'test-threshold', options: { below: 100 } }, signal: 'feature-norm' },
      }),
    );
    expect(norm.detections).toHaveLength(6);
  });
});
