import { decodeFloat32, FeedbackDeliveryList, FeedbackPage, FeedbackStatusList } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { heartbeatBody } from '../../testing/heartbeat-body.js';
import { ackV2, loopDevice, pullV2, type LoopDevice } from '../../testing/learning-loop.js';
import { driftDoc } from '../../testing/package-archive.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';

describe.each(databaseEngines())('feedback inbox on $name', (engine) => {
  let s: TestServer;
  let dev: LoopDevice;
  let old: LoopDevice;
  beforeAll(async () => {
    s = await startTestServer(engine);
    dev = await loopDevice(s, 'hw-inbox-1', { samples: 4 });
    old = await loopDevice(s, 'hw-inbox-old', { samples: 3 });
  });
  afterAll(() => s.stop());

  const validate = (d: LoopDevice, sampleId: string, body: unknown) =>
    readJson(
      s.call('POST', `/api/v1/drift/samples/${d.deviceId}/${sampleId}/validation`, {
        token: s.engineerToken,
        json: body,
      }),
    );
  const deliveries = async (q: string) =>
    FeedbackDeliveryList.parse(
      await readJson(s.call('GET', `/api/v1/feedback/deliveries?${q}`, { token: s.viewerToken })),
    ).items;

  it('a v2 page carries each label with the feature vector the device reported and the model that made it', async () => {
    await validate(dev, dev.samples[0]!, { decision: 'new-class', label: 'bag' });
    await validate(dev, dev.samples[1]!, { decision: 'false-alarm' });
    const page = await pullV2(s, dev);
    expect(page.items.map((i) => i.kind)).toEqual(['label', 'false-alarm']);
    const label = page.items[0];
    if (label?.kind !== 'label') throw new Error('expected a label');
    expect(label).toMatchObject({ decision: 'new-class', label: 'bag', source: 'own', sourceDeviceId: dev.deviceId });
    expect(label.model).toEqual({ modelId: 'fashion-mnv2', version: '1.0.0' });
    const sent = driftDoc('ep_hwinbox101', 4, { dim: 8 }).doc.samples[0]?.features;
    expect(Array.from(decodeFloat32(label.features!))).toEqual(Array.from(decodeFloat32(sent!)));
  });

  it('stores what the device did with each item; people see it per label, per sample and per device', async () => {
    await validate(dev, dev.samples[2]!, { decision: 'label', label: 'shirt' });
    const page = await pullV2(s, dev);
    const [a, b, c] = page.items;
    expect(
      await ackV2(s, dev, page.nextCursor, [
        { feedbackId: a!.feedbackId, cursor: a!.cursor, status: 'applied', stateVersion: 4, propagated: 9 },
        { feedbackId: b!.feedbackId, cursor: b!.cursor, status: 'merged', reason: 'not held: nothing to drop' },
        {
          feedbackId: c!.feedbackId,
          cursor: c!.cursor,
          status: 'rejected',
          reason: 'features come from another model',
        },
      ]),
    ).toBe(204);
    const items = await deliveries(`deviceId=${dev.deviceId}`);
    expect(items.map((i) => [i.sampleId, i.status, i.reason])).toEqual([
      [dev.samples[2], 'rejected', 'features come from another model'],
      [dev.samples[1], 'merged', 'not held: nothing to drop'],
      [dev.samples[0], 'applied', null],
    ]);
    const samples = await readJson(
      s.call('GET', `/api/v1/drift/samples?deviceId=${dev.deviceId}`, { token: s.viewerToken }),
    );
    const delivery = Object.fromEntries(
      samples.items.map((x: { sampleId: string; delivery?: unknown }) => [x.sampleId, x.delivery]),
    );
    expect(delivery[dev.samples[0]!]).toEqual({ status: 'applied', reason: null });
    expect(delivery[dev.samples[3]!]).toBeNull();
    const status = FeedbackStatusList.parse(
      await readJson(s.call('GET', '/api/v1/drift/feedback-status', { token: s.viewerToken })),
    );
    expect(status.items.find((i) => i.deviceId === dev.deviceId)?.byStatus).toMatchObject({
      applied: 1,
      merged: 1,
      rejected: 1,
      queued: 0,
    });
    // A repeated ack keeps the stored outcomes.
    expect(
      await ackV2(s, dev, page.nextCursor, [{ feedbackId: a!.feedbackId, cursor: a!.cursor, status: 'rejected' }]),
    ).toBe(204);
    expect((await deliveries(`sampleId=${dev.samples[0]}`))[0]?.status).toBe('applied');
  });

  it('an old (v1) device gets only what it understands, and its acknowledgement is not called "applied"', async () => {
    await validate(old, old.samples[0]!, { decision: 'label', label: 'bag' });
    await s.call('PUT', `/api/v1/settings/devices/${old.deviceId}`, {
      token: s.engineerToken,
      json: { mode: 'autonomous' },
    });
    await validate(old, old.samples[1]!, { decision: 'false-alarm' });
    const page = FeedbackPage.parse(
      await readJson(s.call('GET', '/device/v1/feedback?after=0', { token: old.deviceToken })),
    );
    expect(page.items.map((i) => i.decision)).toEqual(['label', 'false-alarm']);
    expect(page.nextCursor).toBe(3);
    expect(
      (
        await s.call('POST', '/device/v1/feedback/ack', {
          token: old.deviceToken,
          json: { schemaVersion: 1, cursor: 3 },
        })
      ).status,
    ).toBe(204);
    const items = await deliveries(`deviceId=${old.deviceId}`);
    expect(items.map((i) => [i.kind, i.status])).toEqual([
      ['false-alarm', 'acknowledged'],
      ['settings', 'rejected'],
      ['label', 'acknowledged'],
    ]);
    expect(items[1]?.reason).toContain('feedback v1');
  });

  it('an old device whose inbox holds only v2 items is not asked about them forever', async () => {
    await s.call('PUT', `/api/v1/settings/devices/${old.deviceId}`, {
      token: s.engineerToken,
      json: { mode: 'server-assisted' },
    });
    const hb = async () =>
      (await readJson(s.call('POST', '/device/v1/heartbeat', { token: old.deviceToken, json: heartbeatBody() })))
        .feedbackPending;
    expect(await hb()).toBe(1);
    const page = FeedbackPage.parse(
      await readJson(s.call('GET', '/device/v1/feedback?after=3', { token: old.deviceToken })),
    );
    expect(page).toMatchObject({ items: [], nextCursor: 4 });
    expect(await hb()).toBe(0);
    expect((await deliveries(`deviceId=${old.deviceId}&status=rejected`)).length).toBe(2);
  });
});
