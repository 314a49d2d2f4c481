import {
  DriftEpisodeList,
  DriftRateSeries,
  FleetOverview,
  LiveEvent,
  ReviewClassList,
  ReviewQueuePage,
  ValidationUndoResult,
} from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { buildPackage, driftDoc } from '../../testing/package-archive.js';
import { readJson, startTestServer, waitUntil, type TestServer } from '../../testing/test-server.js';

/** Reads server-sent events from `/api/v1/live` until `want` of them arrived. */
async function liveEvents(s: TestServer, want: number, trigger: () => Promise<unknown>): Promise<LiveEvent[]> {
  const r = await fetch(`${s.url}/api/v1/live`, { headers: { authorization: `Bearer ${s.viewerToken}` } });
  expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: LiveEvent[] = [];
  let buffer = '';
  await trigger();
  while (events.length < want) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const data = buffer.slice(0, cut).match(/^data: (.*)$/m)?.[1];
      buffer = buffer.slice(cut + 2);
      if (data) events.push(LiveEvent.parse(JSON.parse(data)));
    }
  }
  await reader.cancel();
  return events;
}

describe.each(databaseEngines())('review queue, class list, undo and live events on $name', (engine) => {
  let s: TestServer;
  let a: { deviceId: string; deviceToken: string };
  let b: { deviceId: string; deviceToken: string };
  const get = async (route: string) => readJson(await s.call('GET', route, { token: s.viewerToken }));
  const validate = (d: string, smp: string, label: string) =>
    s.call('POST', `/api/v1/drift/samples/${d}/${smp}/validation`, {
      token: s.engineerToken,
      json: { decision: 'new-class', label },
    });
  const upload = async (dev: { deviceId: string; deviceToken: string }, ep: string, n: number, prefix: string) => {
    const { doc, images } = driftDoc(ep, n, { withImages: true, prefix });
    const body = await buildPackage({
      packageId: `pkg_${ep}`,
      deviceId: dev.deviceId,
      files: images,
      documents: { 'drift-events': doc },
    });
    expect((await s.upload(dev.deviceToken, `pkg_${ep}`, body)).status).toBe(202);
  };

  beforeAll(async () => {
    s = await startTestServer(engine);
    a = await s.enrol('hw-queue-a', { name: 'alpha-cam' });
    b = await s.enrol('hw-queue-b', { name: 'beta-cam' });
    await s.call('PATCH', `/api/v1/devices/${b.deviceId}`, { token: s.engineerToken, json: { group: 'berlin' } });
    await upload(a, 'ep_queuea01', 3, 'sa');
    await upload(b, 'ep_queueb01', 2, 'sb');
    await waitUntil(
      () => get('/api/v1/drift/review-queue'),
      (p) => p.total === 5,
    );
  });
  afterAll(() => s.stop());

  it('queues every pending sample oldest first, with names, filtered by device and group', async () => {
    const page = ReviewQueuePage.parse(await get('/api/v1/drift/review-queue?limit=3'));
    expect(page.total).toBe(5);
    const times = page.items.map((i) => i.sample.capturedAt);
    expect(times).toEqual([...times].sort());
    expect(page.items.map((i) => i.deviceName)).toContain('alpha-cam');
    const berlin = ReviewQueuePage.parse(await get('/api/v1/drift/review-queue?group=berlin'));
    expect(berlin.items.map((i) => [i.deviceName, i.group])).toEqual([
      ['beta-cam', 'berlin'],
      ['beta-cam', 'berlin'],
    ]);
    const one = ReviewQueuePage.parse(await get(`/api/v1/drift/review-queue?deviceId=${a.deviceId}`));
    expect(one.total).toBe(3);
    const eps = DriftEpisodeList.parse(await get(`/api/v1/drift/episodes?deviceId=${a.deviceId}`));
    expect(eps.items[0]).toMatchObject({
      deviceName: 'alpha-cam',
      samples: 3,
      pendingSamples: 3,
      thumbnail: { deviceId: a.deviceId, sampleId: 'sa_ep_queuea01_0000' },
    });
  });

  it('keeps classes people created, undoes a label on the server and withdraws its feedback', async () => {
    expect((await validate(a.deviceId, 'sa_ep_queuea01_0000', 'umbrella')).status).toBe(200);
    const classes = ReviewClassList.parse(await get('/api/v1/drift/classes'));
    expect(classes.items).toContainEqual({ label: 'umbrella', sources: ['validated'], validatedSamples: 1 });
    const route = `/api/v1/drift/samples/${a.deviceId}/sa_ep_queuea01_0000/validation`;
    expect((await s.call('DELETE', route, { token: s.viewerToken })).status).toBe(403);
    const undo = ValidationUndoResult.parse(await readJson(await s.call('DELETE', route, { token: s.engineerToken })));
    expect(undo).toMatchObject({ previous: { status: 'labelled', label: 'umbrella' }, withdrawnFeedback: 1 });
    const sample = await get(`/api/v1/drift/samples/${a.deviceId}/sa_ep_queuea01_0000`);
    expect(sample.sample).toMatchObject({ status: 'pending', label: null });
    const inbox = await readJson(await s.call('GET', '/device/v1/feedback?after=0', { token: a.deviceToken }));
    expect(inbox.items).toEqual([]);
    expect((await s.call('DELETE', route, { token: s.engineerToken })).status).toBe(409);
  });

  it('refuses to undo a label the device already acknowledged', async () => {
    expect((await validate(a.deviceId, 'sa_ep_queuea01_0001', 'bag')).status).toBe(200);
    const inbox = await readJson(await s.call('GET', '/device/v1/feedback?after=0', { token: a.deviceToken }));
    const ack = await s.call('POST', '/device/v1/feedback/ack', {
      token: a.deviceToken,
      json: { schemaVersion: 1, cursor: inbox.nextCursor },
    });
    expect(ack.status).toBeLessThan(300);
    const undo = await s.call('DELETE', `/api/v1/drift/samples/${a.deviceId}/sa_ep_queuea01_0001/validation`, {
      token: s.engineerToken,
    });
    expect(undo.status).toBe(409);
    expect((await readJson(undo)).error.message).toMatch(/already acknowledged/);
  });

  it('streams a change event to a live dashboard when a person validates', async () => {
    const [event] = await liveEvents(s, 1, () => validate(b.deviceId, 'sb_ep_queueb01_0000', 'coat'));
    expect(event).toMatchObject({ topics: expect.arrayContaining(['drift']), deviceIds: [b.deviceId] });
  });

  it('names devices in the overview and breaks the fleet down by model version', async () => {
    const o = FleetOverview.parse(await get('/api/v1/overview'));
    expect(o.recentEvents.find((e) => e.deviceId === b.deviceId)?.deviceName).toBe('beta-cam');
    expect(o.fleetByModel).toEqual([{ model: null, devices: 2 }]);
    const rates = DriftRateSeries.parse(await get('/api/v1/drift/rates?by=device&since=2026-01-01T00:00:00Z'));
    expect(rates.labels).toEqual({ [a.deviceId]: 'alpha-cam', [b.deviceId]: 'beta-cam' });
  });
});
