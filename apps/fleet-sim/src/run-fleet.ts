import { writeFile } from 'node:fs/promises';
import type { OperationalMode } from '@tinymlops/contracts';
import { InvalidArgumentError } from 'commander';
import { Fleet } from './fleet.js';
import type { FleetScenario } from './fleet-scenarios.js';
import type { FaultProfile } from './faulty-fetch.js';
import { ProgressBar } from './progress-bar.js';
import { probeServer } from './server-probe.js';
import { formatSummary } from './summary-table.js';

/** The options of the `fleet-sim` command (see cli.ts). */
export interface FleetCliOptions {
  devices: number;
  lightDevices: number;
  server: string;
  scenario: FleetScenario;
  frames: number;
  fps: number;
  seed: number;
  dataDir: string;
  enrolmentToken: string;
  faults: FaultProfile;
  mode: OperationalMode;
  syncInterval: number;
  bundle: string;
  json?: boolean;
  progress: boolean;
  ackedFile?: string;
}

/**
 * Runs the fleet the command line describes: probes the server, runs every device, prints the summary.
 * @example
 * await runFleet({
 *   devices: 3, lightDevices: 0, server: 'http://127.0.0.1:8080', scenario: 'mixed', frames: 600, fps: 2, seed: 1,
 *   dataDir: '.tinymlops/fleet-sim', enrolmentToken: 'demo-open-enrolment', faults: 'none',
 *   mode: 'monitoring-only', syncInterval: 2, bundle: 'models/fashion-mnv2', progress: true,
 * });
 */
export async function runFleet(o: FleetCliOptions): Promise<void> {
  if (o.devices + o.lightDevices < 1) throw new InvalidArgumentError('--devices and --light-devices add up to 0');
  const probe = await probeServer(o.server);
  if (!probe.ok) {
    const why = `server ${o.server} is unreachable (${probe.reason})`;
    console.error(`fleet-sim: ${why}; the devices run offline and sync when it comes back`);
  }
  const fleet = await Fleet.open({
    devices: o.devices,
    lightDevices: o.lightDevices,
    serverUrl: o.server,
    scenario: o.scenario,
    frames: o.frames,
    fps: o.fps,
    seed: o.seed,
    dataDir: o.dataDir,
    bundleDir: o.bundle,
    enrolmentToken: o.enrolmentToken,
    faults: o.faults,
    mode: o.mode,
    syncIntervalMs: o.syncInterval * 1000,
  });
  const stop = () => fleet.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const bar = new ProgressBar(o.frames * (o.devices + o.lightDevices));
  await fleet.run((done) => {
    if (!o.progress) return;
    const t = fleet.summary().total;
    const down = fleet.devices.filter((d) => d.net.linkDown).length;
    const offline = down ? ` · ${down} offline` : '';
    bar.update(
      done,
      `episodes ${t.episodesStarted} · acked ${t.packagesAcked} · outbox ${t.packagesPending}${offline}`,
    );
  });
  if (o.progress) bar.done();
  await fleet.close({ finalSync: true });
  if (o.ackedFile) await writeAcked(fleet, o.ackedFile);
  const summary = fleet.summary();
  console.log(formatSummary(summary));
  if (o.json) console.log(JSON.stringify(summary));
}

/** Every acknowledged package, for an audit against the server's database (the soak's). */
async function writeAcked(fleet: Fleet, file: string): Promise<void> {
  const lines = fleet.devices.flatMap((d) => [...d.acked].map((id) => `${d.deviceId ?? '?'} ${id}\n`));
  await writeFile(file, lines.join(''));
}
