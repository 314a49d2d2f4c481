import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLE } from './bundle-location.js';
import type { FleetSummary } from './fleet.js';

const BIN = fileURLToPath(new URL('../bin/fleet-sim.mjs', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 240_000 });

describe('npm start (the demo)', () => {
  it('prints its usage for --help and starts nothing', () => {
    const demo = fileURLToPath(new URL('../bin/demo.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [demo, '--help'], { encoding: 'utf8', timeout: 240_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm start/);
    expect(r.stdout).toMatch(/TINYMLOPS_DEMO_DIR/);
    expect(r.stdout).not.toMatch(/starting TinySphere/);
  });
});

describe('fleet-sim command line', () => {
  it('refuses a bad server URL with a message that says what is expected', () => {
    const r = run(['--server', 'tinysphere.local']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/"tinysphere\.local" is not a URL \(expected e\.g\. http:\/\/127\.0\.0\.1:8080\)/);
  });

  it.skipIf(!existsSync(path.join(DEFAULT_BUNDLE, 'bundle.json')))(
    'keeps running offline when the server is unreachable, says so, and prints the summary',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'fleet-cli-'));
      // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
      const r = run([
        '--devices',
        '2',
        '--frames',
        '40',
        '--fps',
        '0',
        '--server',
        'http://127.0.0.1:9',
        '--data-dir',
        dir,
        '--json',
        '--no-progress',
      ]);
      await rm(dir, { recursive: true, force: true });
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/server http:\/\/127\.0\.0\.1:9 is unreachable .*run offline/);
      const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as FleetSummary;
      expect(summary.total).toMatchObject({ frames: 80, packagesAcked: 0 });
      expect(summary.devices.map((d) => d.deviceId)).toEqual([undefined, undefined]);
      expect(r.stdout).toMatch(/sim-0-held-out-classes \(not enrolled\)/);
    },
    240_000,
  );
});
