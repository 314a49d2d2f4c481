import { RolloutView } from '@tinymlops/contracts';
import { buildBundle } from './bundle-archive.js';
import { heartbeatBody } from './heartbeat-body.js';
import { ingested, loopDevice, type LoopDevice } from './learning-loop.js';
import { buildPackage, driftDoc, metricsDoc } from './package-archive.js';
import { readJson, type TestServer } from './test-server.js';

/** A settable clock for a test server (`now` option) and the rollout steps it drives. */
export class TestClock {
  constructor(public t: number) {}
  readonly now = (): Date => new Date(this.t);
  advance(minutes: number): void {
    this.t += minutes * 60_000;
  }
}

/**
 * Uploads model bundles `versions` of `modelId` and assigns the first to `group`, whose `n` new
 * devices then run it.
 * @example
 * const devices = await rolloutFleet(s, 'shelf', 10, 'rollout-model', ['1.0.0', '2.0.0']);
 */
export async function rolloutFleet(s: TestServer, group: string, n: number, modelId: string, versions: string[]) {
  for (const version of versions) {
    const { tgz } = await buildBundle(modelId, version);
    const r = await s.call('POST', '/api/v1/models/bundles', {
      token: s.engineerToken,
      body: tgz,
      headers: { 'content-type': 'application/gzip' },
    });
    if (r.status !== 201 && r.status !== 409) throw new Error(`bundle upload ${r.status}`);
  }
  const model = { modelId, version: versions[0]! };
  const devices: LoopDevice[] = [];
  for (let i = 0; i < n; i++) devices.push(await loopDevice(s, `hw-${group}-${i}`, { group, model }));
  const assign = await s.call('POST', '/api/v1/deployments', {
    token: s.engineerToken,
    json: { target: { kind: 'group', group }, ...model },
  });
  if (assign.status !== 201) throw new Error(`assign ${assign.status}`);
  return devices;
}

/** A device's install report, made at `at` by the device's clock. */
export async function reportInstall(
  s: TestServer,
  d: LoopDevice,
  model: { modelId: string; version: string },
  at: Date,
  status = 'installed',
) {
  const json = { schemaVersion: 1, ...model, status, at: at.toISOString() };
  const r = await s.call('POST', '/device/v1/assignment/report', { token: d.deviceToken, json });
  if (r.status !== 204) throw new Error(`report ${r.status}`);
}

/** A heartbeat with the model a device runs and its uptime. */
export async function heartbeat(
  s: TestServer,
  d: LoopDevice,
  model: { modelId: string; version: string },
  uptimeSeconds = 600,
) {
  const r = await s.call('POST', '/device/v1/heartbeat', {
    token: d.deviceToken,
    json: heartbeatBody({ model, uptimeSeconds }),
  });
  if (r.status !== 200) throw new Error(`heartbeat ${r.status}`);
}

let episodeSeq = 0;

/** Reports one drift episode that started at `at`, through a real drift package. */
export async function reportEpisode(s: TestServer, d: LoopDevice, at: Date): Promise<void> {
  const episode = `ep_rollout_${++episodeSeq}`;
  const { doc } = driftDoc(episode, 1, { dim: 8, prefix: `smp${episodeSeq}` });
  for (const e of doc.events) e.at = at.toISOString();
  const packageId = `pkg_rollout_${episodeSeq}`;
  const body = await buildPackage({ packageId, deviceId: d.deviceId, documents: { 'drift-events': doc } });
  const up = await s.upload(d.deviceToken, packageId, body);
  if (up.status !== 202) throw new Error(`upload ${up.status}: ${await up.text()}`);
  await ingested(s, d.deviceToken, packageId);
}

let reportSeq = 0;

/**
 * A device's routine sync: one metrics package, uploaded and ingested (a wave promotes only once
 * each of its devices has reported after the soak).
 * @example
 * clock.advance(61); for (const d of canary) await reportIn(s, d);
 */
export async function reportIn(s: TestServer, d: LoopDevice): Promise<void> {
  const seq = ++reportSeq;
  const packageId = `pkg_report_${seq}`;
  const body = await buildPackage({ packageId, deviceId: d.deviceId, documents: { metrics: metricsDoc(seq, seq) } });
  const up = await s.upload(d.deviceToken, packageId, body);
  if (up.status !== 202) throw new Error(`upload ${up.status}: ${await up.text()}`);
  await ingested(s, d.deviceToken, packageId);
}

/** The model version the server tells a device to run. */
export async function assignedVersion(s: TestServer, d: LoopDevice): Promise<string | null> {
  const r = await s.call('GET', '/device/v1/assignment', { token: d.deviceToken });
  return r.status === 200 ? ((await r.json()) as { version: string }).version : null;
}

/** A rollout as the API shows it, checked against the contract. */
export async function getRollout(s: TestServer, id: string): Promise<RolloutView> {
  return RolloutView.parse(await readJson(s.call('GET', `/api/v1/rollouts/${id}`, { token: s.viewerToken })));
}
