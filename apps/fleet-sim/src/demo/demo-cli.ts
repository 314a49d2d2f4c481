import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BUNDLE } from '../bundle-location.js';
import { Fleet } from '../fleet.js';
import type { OperationalMode } from '@tinymlops/contracts';
import type { DriftCycle, FleetScenario } from '../fleet-scenarios.js';
import { PeopleApi } from '../people-api.js';
import { ProgressBar } from '../progress-bar.js';
import { probeServer } from '../server-probe.js';
import { formatSummary } from '../summary-table.js';
import { TinySphereProcess } from '../tinysphere-process.js';
import { printGuide } from './demo-guide.js';
import { buildDashboardIfMissing, demoStorage, readAdminToken, registerBundleOnce } from './demo-setup.js';
import { step } from './demo-steps.js';

const DEMO_TOKEN = 'demo-open-enrolment';
/**
 * Held-out classes on the first two devices (the learning loop: one learns from the labels people
 * validate, one on its own), lighting (overexposed) on the third. A gradual mix of known classes
 * (`fleet-sim --scenario gradual-mix`) is, correctly, not an episode for the KNN-distance monitor.
 */
const SCENARIOS: FleetScenario[] = ['held-out-class', 'held-out-class', 'lighting'];
/** One device per operational mode: the loop with people, the loop on its own, watching only. */
const MODES: OperationalMode[] = ['server-assisted', 'autonomous', 'monitoring-only'];
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
const DASHBOARD_BUILT = fileURLToPath(new URL('../../../dashboard/dist/index.html', import.meta.url));
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
    throw new Error(
      `the project's model is missing: ${DEFAULT_BUNDLE}/bundle.json (models/fashion-mnv2 in the repository)`,
    );
  if ((await probeServer(`http://127.0.0.1:${port}`, 1000)).ok || (await portTaken(port)))
    throw new Error(`port ${port} is already in use (another npm start?); stop it or run PORT=8090 npm start`);
  await mkdir(dataDir, { recursive: true });
  const started = Date.now();
  const storage = demoStorage(dataDir);
  say(`TinyMLOps demo — data in ${path.relative(process.cwd(), dataDir) || dataDir}`);
  const logName = path.relative(process.cwd(), storage.logFile);
  const options = { ...storage, port, demoEnrolmentToken: DEMO_TOKEN, adminTokenFile: storage.adminFile };
  const first = existsSync(DASHBOARD_BUILT) ? '' : ' (first start: building the dashboard meanwhile)';
  // The dashboard builds while the server starts: the server serves the build once it is there.
  const [server, built] = await step(`starting TinySphere${first}; log: ${logName}`, () =>
    Promise.all([
      TinySphereProcess.start({ ...options, ownProcessGroup: true }),
      existsSync(DASHBOARD_BUILT) ? true : buildDashboardIfMissing(storage.buildLog),
    ]),
  );
  if (!built) say(`the dashboard did not build (see ${path.relative(process.cwd(), storage.buildLog)}); API at /docs`);
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
    const adminToken = await readAdminToken(storage.adminFile);
    const readyMs = Date.now() - started;
    printGuide({ url: server.url, token: adminToken, enrolmentToken: DEMO_TOKEN, hasDashboard: built, readyMs });
    const api = new PeopleApi(server.url, adminToken);
    const model = await step('registering the model', () => registerBundleOnce(api, DEFAULT_BUNDLE));
    say(`model ${model.ref} ${model.uploaded ? 'registered' : 'already registered'}`);
    fleet = await step('starting 3 simulated devices', () => openFleet(server.url));
    if (!stopping) await runWithStatus(fleet);
  } finally {
    await fleet?.close({ finalSync: true });
    await server.stop();
    if (fleet) say(formatSummary(fleet.summary()));
    say('stopped. `npm start` again resumes with the same data.');
  }
}

/** Three devices at ~2 fps, one per scenario and mode. */
function openFleet(serverUrl: string): Promise<Fleet> {
  return Fleet.open({
    devices: 3,
    serverUrl,
    scenario: 'mixed',
    scenarioOf: (i) => SCENARIOS[i] ?? 'mixed',
    modeOf: (i) => MODES[i] ?? 'monitoring-only',
    frames: Infinity,
    fps: 2,
    seed: 1,
    dataDir,
    bundleDir: DEFAULT_BUNDLE,
    enrolmentToken: DEMO_TOKEN,
    faults: 'none',
    syncIntervalMs: 3000,
    cycle: DEMO_CYCLE,
    monitor: DEMO_MONITOR,
  });
}

async function runWithStatus(fleet: Fleet): Promise<void> {
  const bar = new ProgressBar(Infinity);
  await fleet.run((done) => {
    const t = fleet.summary().total;
    bar.update(
      done,
      `drift episodes ${t.episodesStarted} · packages acked ${t.packagesAcked} · in outboxes ${t.packagesPending}`,
    );
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

const HELP = `Usage: npm start [-- --help]

The TinyMLOps demo: TinySphere on embedded defaults (PGlite + files) serving the dashboard, the
project's model registered, and three simulated devices (server-assisted, autonomous,
monitoring-only) that drift every 150 s. Prints the dashboard URL, the admin API token and a guide
to the learning loop; Ctrl-C stops the devices, then the server. A second start resumes with the
same data.

Environment:
  PORT                the server's port (default 8080)
  TINYMLOPS_DEMO_DIR  the demo's data folder (default .tinymlops/demo); delete it to start afresh
`;

try {
  if (process.argv.includes('--help') || process.argv.includes('-h')) say(HELP);
  else await main();
} catch (err) {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
