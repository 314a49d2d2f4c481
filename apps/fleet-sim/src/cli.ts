import { OPERATIONAL_MODES } from '@tinymlops/contracts/operational-modes';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_BUNDLE } from './bundle-location.js';
import { FAULT_PROFILES, FLEET_SCENARIOS } from './fleet-choices.js';
import type { FleetCliOptions } from './run-fleet.js';

const count = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
  return n;
};

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0`);
  return n;
};

const httpUrl = (v: string) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError(`"${v}" is not a URL (expected e.g. http://127.0.0.1:8080)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new InvalidArgumentError(`"${v}" must start with http:// or https://`);
  return u.origin;
};

/** The `fleet-sim` command line. */
export function buildCli(): Command {
  return new Command('fleet-sim')
    .description('Run N virtual TinyLCM devices (one process, one shared model runtime) against a TinySphere server.')
    .showHelpAfterError()
    .option('--devices <n>', 'number of virtual devices running the model', count('--devices', 0), 3)
    .option(
      '--light-devices <n>',
      'number of light virtual devices: they replay a recording of the real pipeline instead of running it',
      count('--light-devices', 0),
      0,
    )
    .option('--server <url>', 'TinySphere base URL', httpUrl, 'http://127.0.0.1:8080')
    .addOption(
      new Option('--scenario <name>', 'drift schedule; mixed = a different one per device')
        .choices([...FLEET_SCENARIOS])
        .default('mixed'),
    )
    .option('--frames <n>', 'frames per device', count('--frames', 1), 600)
    .option('--fps <rate>', 'frames per second per device (0 = as fast as possible)', positive('--fps'), 2)
    .option('--seed <n>', 'seed of the streams, schedules and faults', count('--seed', 0), 1)
    .option('--data-dir <dir>', 'where devices keep credentials and outboxes', '.tinymlops/fleet-sim')
    .option('--enrolment-token <token>', 'enrolment token (the server must accept it)', 'demo-open-enrolment')
    .addOption(
      new Option('--faults <profile>', 'network faults; mixed = clean, offline windows, 5xx, slow in turn')
        .choices([...FAULT_PROFILES])
        .default('none'),
    )
    .addOption(
      new Option('--mode <mode>', 'device operational mode').choices([...OPERATIONAL_MODES]).default('monitoring-only'),
    )
    .option('--sync-interval <seconds>', 'time between sync rounds per device', positive('--sync-interval'), 2)
    .option('--bundle <dir>', 'model bundle the devices start with', DEFAULT_BUNDLE)
    .option('--json', 'print the summary as one JSON line at the end')
    .option('--acked-file <file>', 'write every package the server acknowledged, one "<deviceId> <packageId>" a line')
    .option('--no-progress', 'no progress bar')
    .action(async (o: FleetCliOptions) => (await import('./run-fleet.js')).runFleet(o)); // loaded on use: a fast --help
}

try {
  await buildCli().parseAsync(process.argv);
} catch (err) {
  console.error(`fleet-sim: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
