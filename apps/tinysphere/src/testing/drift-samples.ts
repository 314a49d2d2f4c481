import { expect } from 'vitest';
import { heartbeatBody } from './heartbeat-body.js';
import { buildPackage, driftDoc } from './package-archive.js';
import { readJson, waitUntil, type TestServer } from './test-server.js';

/**
 * Uploads one drift episode of `n` samples (with images) from a device running `version` of
 * fashion-mnv2 and waits until it is ingested; returns the sample ids.
 * @example
 * const ids = await seedDriftSamples(s, await s.enrol('hw-1'), 'ep_export01', 6);
 */
export async function seedDriftSamples(
  s: TestServer,
  dev: { deviceId: string; deviceToken: string },
  episodeId: string,
  n: number,
  version = '1.0.0',
): Promise<string[]> {
  const hb = heartbeatBody({ model: { modelId: 'fashion-mnv2', version } });
  expect((await s.call('POST', '/device/v1/heartbeat', { token: dev.deviceToken, json: hb })).status).toBe(200);
  const { doc, images } = driftDoc(episodeId, n, { withImages: true, prefix: `s${episodeId.slice(-3)}` });
  const packageId = `pkg_${episodeId}`;
  const body = await buildPackage({
    packageId,
    deviceId: dev.deviceId,
    documents: { 'drift-events': doc },
    files: images,
  });
  expect((await s.upload(dev.deviceToken, packageId, body)).status).toBe(202);
  await waitUntil(
    async () => (await readJson(s.call('GET', `/device/v1/packages/${packageId}`, { token: dev.deviceToken }))).status,
    (st) => st === 'ingested',
  );
  return doc.samples.map((x) => x.sampleId);
}
