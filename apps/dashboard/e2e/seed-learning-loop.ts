import { encodeFloat32, type AdaptationDocument } from '@tinymlops/contracts';
import { ackV2, ingested, loopDevice, pullV2, type LoopDevice } from '../../tinysphere/src/testing/learning-loop.js';
import { buildPackage } from '../../tinysphere/src/testing/package-archive.js';
import type { TestServer } from '../../tinysphere/src/testing/test-server.js';

const T = '2026-11-26T10:05:00.000Z';

/** An autonomous device's adaptations: a pseudo-class from 3 samples and a reinforcement. */
function adaptations(): AdaptationDocument {
  const ids = ['smp_autonomous01', 'smp_autonomous02', 'smp_autonomous03'];
  const base = { at: T, samples: 3, reason: 'dense cluster of 3 far from every known class' };
  const created = { ...base, seq: 1, action: 'pseudo-class-created' as const, label: 'pseudo-1' };
  const reinforced = { ...base, seq: 2, action: 'class-reinforced' as const, label: 'sneaker' };
  return {
    schemaVersion: 1,
    records: [
      { ...created, stateVersionBefore: 1, stateVersionAfter: 2, sampleIds: ids },
      { ...reinforced, stateVersionBefore: 2, stateVersionAfter: 3, sampleIds: ['smp_autonomous04'] },
    ],
    samples: ids.map((sampleId, i) => ({
      seq: 1,
      sampleId,
      label: 'pseudo-1',
      features: encodeFloat32(Array.from({ length: 8 }, (_, k) => i + k)),
    })),
  };
}

/**
 * A server-assisted device whose labels came back applied, merged and rejected, and an autonomous
 * device with a pseudo-class and a reinforcement to review. Everything through the real APIs.
 */
export async function seedLearningLoop(s: TestServer): Promise<{ assisted: LoopDevice; autonomous: LoopDevice }> {
  const assisted = await loopDevice(s, 'pi-loop-assisted', { samples: 4 });
  const validate = (sampleId: string, label: string) =>
    s.call('POST', `/api/v1/drift/samples/${assisted.deviceId}/${sampleId}/validation`, {
      token: s.engineerToken,
      json: { decision: 'new-class', label },
    });
  for (const [i, label] of ['bag', 'bag', 'boot'].entries()) await validate(assisted.samples[i]!, label);
  const page = await pullV2(s, assisted);
  const [a, b, c] = page.items;
  await ackV2(s, assisted, page.nextCursor, [
    { feedbackId: a!.feedbackId, cursor: a!.cursor, status: 'applied', stateVersion: 4 },
    { feedbackId: b!.feedbackId, cursor: b!.cursor, status: 'merged', reason: 'already learnt as bag' },
    { feedbackId: c!.feedbackId, cursor: c!.cursor, status: 'rejected', reason: 'features come from another model' },
  ]);
  const autonomous = await loopDevice(s, 'pi-loop-autonomous');
  const body = await buildPackage({
    packageId: 'pkg_loop_adapt01',
    deviceId: autonomous.deviceId,
    documents: { 'adaptation-events': adaptations() },
  });
  const up = await s.upload(autonomous.deviceToken, 'pkg_loop_adapt01', body);
  if (up.status !== 202) throw new Error(`upload ${up.status}: ${await up.text()}`);
  await ingested(s, autonomous.deviceToken, 'pkg_loop_adapt01');
  return { assisted, autonomous };
}
