import { AdaptationDetail, AdaptationList, encodeFloat32, type AdaptationDocument } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { ackV2, ingested, loopDevice, pullV2, type LoopDevice } from '../../testing/learning-loop.js';
import { buildPackage } from '../../testing/package-archive.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';

const T = '2026-11-26T10:05:00.000Z';

/** An autonomous device's adaptations: a pseudo-class of 3 samples (one was a reported drift sample), a reinforcement, a rollback. */
function adaptationDoc(driftSample: string): AdaptationDocument {
  const ids = [driftSample, 'smp_local0002', 'smp_local0003'];
  const event = { at: T, samples: 3, reason: 'dense cluster of 3 far from every known class' };
  return {
    schemaVersion: 1,
    records: [
      {
        ...event,
        seq: 1,
        action: 'pseudo-class-created',
        label: 'pseudo-1',
        stateVersionBefore: 1,
        stateVersionAfter: 2,
        sampleIds: ids,
      },
      {
        ...event,
        seq: 2,
        action: 'class-reinforced',
        label: 'sneaker',
        stateVersionBefore: 2,
        stateVersionAfter: 3,
        sampleIds: ['smp_local0004'],
      },
      {
        ...event,
        seq: 3,
        action: 'rollback',
        samples: 0,
        stateVersionBefore: 3,
        stateVersionAfter: 4,
        reason: 'guard: mean confidence fell',
      },
    ],
    samples: ids.map((sampleId, i) => ({
      seq: 1,
      sampleId,
      label: 'pseudo-1',
      features: encodeFloat32(Array.from({ length: 8 }, (_, k) => i + k / 10)),
    })),
  };
}

describe.each(databaseEngines())('adaptation review on $name', (engine) => {
  let s: TestServer;
  let dev: LoopDevice;
  let peer: LoopDevice;
  beforeAll(async () => {
    s = await startTestServer(engine);
    dev = await loopDevice(s, 'hw-adapt-1', { samples: 2 });
    peer = await loopDevice(s, 'hw-adapt-2');
    const body = await buildPackage({
      packageId: 'pkg_adapt_0001',
      deviceId: dev.deviceId,
      documents: { 'adaptation-events': adaptationDoc(dev.samples[0]!) },
    });
    expect((await s.upload(dev.deviceToken, 'pkg_adapt_0001', body)).status).toBe(202);
    await ingested(s, dev.deviceToken, 'pkg_adapt_0001');
  });
  afterAll(() => s.stop());

  const review = (seq: number, body: unknown) =>
    s.call('POST', `/api/v1/adaptations/${dev.deviceId}/${seq}/review`, { token: s.engineerToken, json: body });
  const list = async () =>
    AdaptationList.parse(
      await readJson(s.call('GET', `/api/v1/adaptations?deviceId=${dev.deviceId}`, { token: s.viewerToken })),
    );

  it('lists the adaptations of a device newest first; rollbacks are shown but not reviewable', async () => {
    const { items } = await list();
    expect(items.map((a) => [a.seq, a.action, a.label, a.reviewable])).toEqual([
      [3, 'rollback', null, false],
      [2, 'class-reinforced', 'sneaker', true],
      [1, 'pseudo-class-created', 'pseudo-1', true],
    ]);
    expect((await review(3, { decision: 'revert' })).status).toBe(409);
  });

  it('shows the samples behind an adaptation, with the drift sample the device reported', async () => {
    const d = AdaptationDetail.parse(
      await readJson(s.call('GET', `/api/v1/adaptations/${dev.deviceId}/1`, { token: s.viewerToken })),
    );
    expect(d.samples.map((x) => [x.sampleId, x.label, x.hasFeatures, x.drift?.sampleId ?? null])).toEqual([
      [dev.samples[0], 'pseudo-1', true, dev.samples[0]],
      ['smp_local0002', 'pseudo-1', true, null],
      ['smp_local0003', 'pseudo-1', true, null],
    ]);
  });

  it('refuses to share a pseudo-class by its pseudo name; relabelled, it reaches the device and the fleet', async () => {
    const refused = await review(1, { decision: 'accept', share: { scope: 'fleet' } });
    expect(refused.status).toBe(400);
    expect((await readJson(refused)).error.message).toContain('relabel pseudo-1');
    const r = await readJson(review(1, { decision: 'relabel', label: 'bag', share: { scope: 'fleet' } }));
    expect(r.adaptation.review).toMatchObject({ decision: 'relabelled', label: 'bag', delivery: { status: 'queued' } });
    expect(r.shared).toMatchObject({ devices: 1, samples: 3 });
    const own = (await pullV2(s, dev)).items.filter((i) => i.kind === 'relabel');
    expect(own).toMatchObject([{ label: 'bag', adaptation: { seq: 1, stateVersionBefore: 1, stateVersionAfter: 2 } }]);
    const shared = (await pullV2(s, peer)).items.flatMap((i) =>
      i.kind === 'label' ? [i.label + ':' + i.sampleId] : [],
    );
    expect(shared.sort()).toEqual([`bag:${dev.samples[0]}`, 'bag:smp_local0002', 'bag:smp_local0003'].sort());
  });

  it('a revert goes to the device, and what the device did comes back to the list', async () => {
    const r = await readJson(review(2, { decision: 'revert' }));
    expect(r.feedbackCursor).toBeGreaterThan(0);
    const page = await pullV2(s, dev);
    const revert = page.items.find((i) => i.kind === 'revert');
    expect(revert).toMatchObject({ adaptation: { seq: 2, action: 'class-reinforced', label: 'sneaker' } });
    const outcomes = page.items.map((i) => ({
      feedbackId: i.feedbackId,
      cursor: i.cursor,
      status: 'applied' as const,
      stateVersion: 5,
    }));
    expect(await ackV2(s, dev, page.nextCursor, outcomes)).toBe(204);
    const reviewed = (await list()).items.find((a) => a.seq === 2);
    expect(reviewed?.review).toMatchObject({ decision: 'reverted', delivery: { status: 'applied' } });
    expect((await review(2, { decision: 'accept' })).status).toBe(409);
    expect((await review(9, { decision: 'accept' })).status).toBe(404);
    expect(
      (
        await s.call('POST', `/api/v1/adaptations/${dev.deviceId}/1/review`, {
          token: s.viewerToken,
          json: { decision: 'revert' },
        })
      ).status,
    ).toBe(403);
  });
});
