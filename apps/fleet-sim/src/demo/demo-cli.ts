import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_BUNDLE } from '../bundle-location.js';
import { Fleet } from '../fleet.js';
import type { DriftCycle, FleetScenario } from '../fleet-scenarios.js';
import { PeopleApi } from '../people-api.js';
import { ProgressBar } from '../progress-bar.js';
import { probeServer } from '../server-probe.js';
import { formatSummary } from '../summary-table.js';
import { TinySphereProcess } from '../tinysphere-process.js';
import { demoAdminToken, demoStorage, registerBundleOnce } from './demo-setup.js';

const DEMO_TOKEN = 'demo-open-enrolment';
/**
 * Held-out classes, then lighting twice (contrast on device 1, brightness on device 2): three kinds
 * of drift the KNN-distance monitor sees. A gradual mix of known classes (`fleet-sim --scenario
 * gradual-mix`) is, correctly, not an episode for it, and would leave the demo's third device quiet.
 */
const SCENARIOS: FleetScenario[] = ['held-out-class', 'lighting', 'lighting'];
/** At 2 fps: drift starts 5–10 s in and lasts 80 s, every 150 s. */
const DEMO_CYCLE: DriftCycle = { length: 300, calm: 10, drift: 160, jitter: 10 };
/**
 * A more sensitive KNN-distance monitor than the library default (slack 0.5 σ, threshold 10 σ
 * instead of 1 σ and 25 σ), so a newcomer sees episodes within a minute: on the project's model it
 * flags held-out classes and lighting after 7–20 drifting frames and raised no false alarm on
 * 600 calm frames.
 */
const DEMO_MONITOR = { deltaSigma: 0.5, lambdaSigma: 10 };
const dataDir = path.resolve(process.env['TINYMLOPS_DEMO_DIR'] ?? '.tinymlops/demo');
const port = Number(process.env['PORT'] ?? 8080);
const say = (line = '') => console.log(line);

/**
 * `npm start`: TinySphere on embedded defaults (PGlite + files under ./.tinymlops/demo), the
 * project's model registered, and three simulated devices with different drift at ~2 fps.
 * Ctrl-C stops the devices (they flush their outboxes) and then the server. A second start
 * resumes with the same data: devices keep their credentials in `.tinymlops/demo/devices/<n>`.
 */
async function main(): Promise<void> {
  if (!existsSync(path.join(DEFAULT_BUNDLE, 'bundle.json')))
    throw new Error(`the project's model is missing: ${DEFAULT_BUNDLE}/bundle.json (models/fashion-mnv2 in the repository)`); // prettier-ignore
  if ((await probeServer(`http://127.0.0.1:${port}`, 1000)).ok || (await portTaken(port)))
    throw new Error(`port ${port} is already in use (another npm start?); stop it or run PORT=8090 npm start`);
  await mkdir(dataDir, { recursive: true });
  const storage = demoStorage(dataDir);
  say(`TinyMLOps demo — data in ${path.relative(process.cwd(), dataDir) || dataDir}`);
  const adminToken = await demoAdminToken(dataDir);
  say(`starting TinySphere (PGlite + files; log: ${path.relative(process.cwd(), storage.logFile)}) …`);
  const server = await TinySphereProcess.start({ ...storage, port, demoEnrolmentToken: DEMO_TOKEN, logFile: storage.logFile, ownProcessGroup: true }); // prettier-ignore
  let fleet: Fleet | undefined;
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.error('\nstopping: devices flush their outboxes, then the server stops …');
    fleet?.stop();
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  try {
    const api = new PeopleApi(server.url, adminToken);
    const model = await registerBundleOnce(api, DEFAULT_BUNDLE);
    say(`model ${model.ref} ${model.uploaded ? 'registered' : 'already registered'}`);
    fleet = await Fleet.open({ devices: 3, serverUrl: server.url, scenario: 'mixed', scenarioOf: (i) => SCENARIOS[i] ?? 'mixed', frames: Infinity, fps: 2, seed: 1, dataDir, bundleDir: DEFAULT_BUNDLE, enrolmentToken: DEMO_TOKEN, faults: 'none', syncIntervalMs: 3000, cycle: DEMO_CYCLE, monitor: DEMO_MONITOR }); // prettier-ignore
    const hasDashboard = await fetch(`${server.url}/`).then((r) => r.ok, () => false); // prettier-ignore
    printGuide(server.url, adminToken, hasDashboard);
    if (!stopping) await runWithStatus(fleet);
  } finally {
    await fleet?.close({ finalSync: true });
    await server.stop();
    if (fleet) say(formatSummary(fleet.summary()));
    say('stopped. `npm start` again resumes with the same data.');
  }
}

function printGuide(url: string, token: string, hasDashboard: boolean): void {
  const bar = '─'.repeat(78);
  say(bar);
  if (hasDashboard) say(`dashboard         ${url}/   (log in with the admin API token; API docs: ${url}/docs)`);
  else say(`TinySphere API    ${url}/docs   (the web dashboard is not in this build yet)`);
  say(`admin API token   ${token}`);
  say(`enrolment token   ${DEMO_TOKEN}   (open demo token: any device may enrol with it)`);
  say(
    'devices           sim-0 held-out classes (bag, ankle boot) · sim-1 low contrast · sim-2 overexposed, ~2 fps each',
  );
  say('what to look at   every 150 s each device drifts for 80 s (the first time ~5 s in); within a minute:');
  say(`  curl -H 'authorization: Bearer ${token}' ${url}/api/v1/devices`);
  say(`  curl -H 'authorization: Bearer ${token}' ${url}/api/v1/drift/episodes`);
  say(`  curl -H 'authorization: Bearer ${token}' '${url}/api/v1/drift/samples?limit=5'`);
  say('  a sample image: GET /api/v1/drift/samples/<deviceId>/<sampleId>/image');
  say('Ctrl-C stops everything cleanly.');
  say(bar);
}

async function runWithStatus(fleet: Fleet): Promise<void> {
  const bar = new ProgressBar(Infinity);
  await fleet.run((done) => {
    const t = fleet.summary().total;
    bar.update(done, `drift episodes ${t.episodesStarted} · packages acked ${t.packagesAcked} · in outboxes ${t.packagesPending}`); // prettier-ignore
  });
  bar.done();
}

async function portTaken(p: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(true));
    srv.listen(p, '127.0.0.1', () => srv.close(() => resolve(false)));
  });
}

try {
  await main();
} catch (err) {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
