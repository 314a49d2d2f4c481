import { decodeFloat32, FleetLearningPolicy } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { loopDevice, pullV2, type LoopDevice } from '../../testing/learning-loop.js';
import { driftDoc } from '../../testing/package-archive.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';

describe.each(databaseEngines())('fleet learning on $name', (engine) => {
  let s: TestServer;
  let a: LoopDevice;
  let sameGroup: LoopDevice;
  let tagged: LoopDevice;
  let otherModel: LoopDevice;
  beforeAll(async () => {
    s = await startTestServer(engine);
    a = await loopDevice(s, 'hw-fleet-a', { samples: 6, group: 'store-1' });
    sameGroup = await loopDevice(s, 'hw-fleet-b', { group: 'store-1' });
    tagged = await loopDevice(s, 'hw-fleet-c', { tags: ['entrance'] });
    otherModel = await loopDevice(s, 'hw-fleet-d', { model: { modelId: 'fashion-mnv2', version: '1.1.0' } });
  });
  afterAll(() => s.stop());

  const validate = (sampleId: string, body: unknown) =>
    readJson(
      s.call('POST', `/api/v1/drift/samples/${a.deviceId}/${sampleId}/validation`, {
        token: s.engineerToken,
        json: body,
      }),
    );
  const labels = async (d: LoopDevice) =>
    (await pullV2(s, d)).items.flatMap((i) => (i.kind === 'label' ? [`${i.sampleId}:${i.label}:${i.source}`] : []));

  it('keeps labels on their device by default; the policy is readable and settable', async () => {
    const r = await validate(a.samples[0]!, { decision: 'new-class', label: 'bag' });
    expect(r.shared).toMatchObject({ scope: { scope: 'device' }, devices: 0 });
    expect(await labels(sameGroup)).toEqual([]);
    const policy = await readJson(s.call('GET', '/api/v1/fleet-learning/policy', { token: s.viewerToken }));
    expect(FleetLearningPolicy.parse(policy)).toEqual({
      schemaVersion: 1,
      defaultScope: { scope: 'device' },
      budgetPerDevice: 200,
    });
    const put = (token: string) =>
      s.call('PUT', '/api/v1/fleet-learning/policy', { token, json: { ...policy, budgetPerDevice: 2 } });
    expect((await put(s.viewerToken)).status).toBe(403);
    expect((await put(s.engineerToken)).status).toBe(200);
  });

  it('shares a label with its group or a tag: features and label only, once per device, same model only', async () => {
    const group = await validate(a.samples[1]!, { decision: 'new-class', label: 'bag', share: { scope: 'group' } });
    expect(group.shared).toMatchObject({ devices: 1, overBudget: 0 });
    const tag = await validate(a.samples[2]!, {
      decision: 'label',
      label: 'bag',
      share: { scope: 'tag', tag: 'entrance' },
    });
    expect(tag.shared).toMatchObject({ devices: 1 });
    expect(await labels(sameGroup)).toEqual([`${a.samples[1]}:bag:fleet`]);
    expect(await labels(tagged)).toEqual([`${a.samples[2]}:bag:fleet`]);
    const page = await pullV2(s, sameGroup);
    const item = page.items[0];
    if (item?.kind !== 'label') throw new Error('expected a label');
    expect(item).toMatchObject({ sourceDeviceId: a.deviceId, model: { modelId: 'fashion-mnv2', version: '1.0.0' } });
    const sent = driftDoc('ep_hwfleeta01', 6, { dim: 8 }).doc.samples[1]?.features;
    expect(Array.from(decodeFloat32(item.features!))).toEqual(Array.from(decodeFloat32(sent!)));
    expect(JSON.stringify(page)).not.toContain('image');
    expect(await labels(otherModel)).toEqual([]);
  });

  it('stops at the per-device budget and reports the devices it skipped', async () => {
    const fleet = { share: { scope: 'fleet' } };
    const r1 = await validate(a.samples[3]!, { decision: 'label', label: 'bag', ...fleet });
    expect(r1.shared).toMatchObject({ devices: 2, overBudget: 0 });
    const r2 = await validate(a.samples[4]!, { decision: 'label', label: 'bag', ...fleet });
    expect(r2.shared).toMatchObject({ devices: 0, overBudget: 2 }); // both hold 2 = the budget
    expect((await labels(sameGroup)).length).toBe(2);
  });

  it('a device that starts running the model later catches up on its next pull, within its budget', async () => {
    await s.call('PUT', '/api/v1/fleet-learning/policy', {
      token: s.engineerToken,
      json: { schemaVersion: 1, defaultScope: { scope: 'device' }, budgetPerDevice: 200 },
    });
    const late = await loopDevice(s, 'hw-fleet-late');
    const got = await labels(late);
    // Fleet-scoped samples 3 and 4 reach it; the group and tag shares do not.
    expect(got).toEqual([`${a.samples[3]}:bag:fleet`, `${a.samples[4]}:bag:fleet`]);
    expect(await labels(late)).toEqual(got); // pulling again queues nothing twice
    // Sample 4 was over its budget before; with the larger budget it fits now.
    expect(await labels(tagged)).toContain(`${a.samples[4]}:bag:fleet`);
  });
});
