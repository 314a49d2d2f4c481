import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFreshCli } from './cli-build.mjs';
import { REPO } from './device-release-testing.js';

/**
 * The three CLIs run compiled JavaScript through their launchers (apps/<app>/bin), which rebuild
 * the bundle first when a source changed. Timings are in docs/benchmarks.md; tests never assert them.
 */
const CLIS = [
  { app: 'device', bin: 'apps/device/bin/tinylcm-device.mjs', usage: 'Usage: tinylcm-device' },
  { app: 'tinysphere', bin: 'apps/tinysphere/bin/tinysphere.mjs', usage: 'Usage: tinysphere' },
  { app: 'fleet-sim', bin: 'apps/fleet-sim/bin/fleet-sim.mjs', usage: 'Usage: fleet-sim' },
];
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8' });

describe('CLI launchers', () => {
  for (const { bin, usage } of CLIS) {
    it(`${path.basename(bin)} --help prints the usage from the compiled program`, () => {
      const r = node([bin, '--help']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(usage);
      expect(r.status).toBe(0);
    });
  }

  it('a command that fails reports once, with its exit code, also when `run` restarts with the V8 flags', () => {
    const r = node(['apps/device/bin/tinylcm-device.mjs', 'run', '-c', 'no-such-device.json']);
    expect(r.status).toBe(1);
    expect(r.stderr.match(/cannot read device config/g)).toHaveLength(1);
  });

  it('rebuilds a bundle whose sources changed after it was built, and leaves a fresh one alone', async () => {
    const stamp = path.join(REPO, 'apps/fleet-sim/dist/build-inputs.json');
    const bundle = path.join(REPO, 'apps/fleet-sim/dist/fleet-sim.mjs');
    await ensureFreshCli('fleet-sim');
    const fresh = statSync(bundle).mtimeMs;
    await ensureFreshCli('fleet-sim');
    expect(statSync(bundle).mtimeMs).toBe(fresh);
    // As if every source had been edited after the build started.
    const old = JSON.parse(readFileSync(stamp, 'utf8')) as { startedAt: number; inputs: string[] };
    writeFileSync(stamp, JSON.stringify({ ...old, startedAt: 0 }));
    await ensureFreshCli('fleet-sim');
    const rebuilt = JSON.parse(readFileSync(stamp, 'utf8')) as { startedAt: number; inputs: string[] };
    expect(rebuilt.startedAt).toBeGreaterThan(old.startedAt);
    expect(rebuilt.inputs).toContain('apps/fleet-sim/src/cli.ts');
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(fresh);
  });
});
