import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from './device-release-testing.js';

/** install.sh's refusals and the systemd unit, without building a release (fast). */
const SCRIPT = path.join(REPO, 'apps/device/deploy/install.sh');
const UNIT = path.join(REPO, 'apps/device/deploy/tinylcm-device.service');
const work = mkdtempSync(path.join(tmpdir(), 'install-script-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function install(...args: string[]) {
  const r = spawnSync('sh', [SCRIPT, '--root', path.join(work, 'root'), ...args], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A stand-in `node` that reports `version` (what Raspberry Pi OS's apt package would be, say). */
function fakeNode(version: string): string {
  const file = path.join(work, `node-${version}`);
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const ok = major > 20 || (major === 20 && minor >= 9);
  writeFileSync(file, `#!/bin/sh\n[ "$1" = -p ] && { echo ${version}; exit 0; }\nexit ${ok ? 0 : 1}\n`, {
    mode: 0o755,
  });
  return file;
}

describe('apps/device/deploy/install.sh', () => {
  const tarball = path.join(work, 'tinylcm-device-0.0.0.tgz');
  writeFileSync(tarball, '');

  it("refuses Raspberry Pi OS Bookworm's Node 18 and says which Node to install on which board", () => {
    const r = install('--node', fakeNode('18.20.4'), tarball);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/is Node 18\.20\.4 .*needs 20\.9 or newer/);
    expect(r.out).toMatch(/Bookworm's own nodejs package is Node 18/);
    expect(r.out).toMatch(/64-bit OS \(aarch64\): install Node 22 or 24/);
    expect(r.out).toMatch(/32-bit OS \(armv7l\): install Node 20/);
  });

  it('says so when there is no Node at all', () => {
    const r = install('--node', path.join(work, 'no-such-node'), tarball);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/Node\.js not found .*needs Node\.js 20\.9 or newer/);
  });

  it('refuses a file that is not a tinylcm-device release', () => {
    const notRelease = path.join(work, 'other.tgz');
    mkdirSync(path.join(work, 'other/package'), { recursive: true });
    writeFileSync(path.join(work, 'other/package/package.json'), '{"name":"other","version":"1.0.0"}');
    spawnSync('tar', ['-czf', notRelease, '-C', path.join(work, 'other'), 'package']);
    const r = install('--node', process.execPath, notRelease);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/other\.tgz is not a tinylcm-device release/);
  });

  it('explains its usage when the tarball or an option is wrong', () => {
    expect(install('--node', process.execPath).out).toMatch(/which release\? usage: sudo sh .*install\.sh/);
    const missing = install('--node', process.execPath, path.join(work, 'missing.tgz'));
    expect(missing.out).toMatch(/no such file .*pack:device/);
    expect(install('--frobnicate').out).toMatch(/unknown option --frobnicate/);
    expect(install('--help').out).toMatch(/--uninstall \[--purge\]/);
  });
});

describe.runIf(spawnSync('systemd-analyze', ['--version']).status === 0)('the systemd unit', () => {
  it('passes systemd-analyze verify once install.sh has filled in its paths', () => {
    const app = path.join(work, 'app');
    const launcher = path.join(app, 'current/apps/device/bin/tinylcm-device.mjs');
    mkdirSync(path.dirname(launcher), { recursive: true });
    writeFileSync(launcher, '#!/bin/sh\n', { mode: 0o755 });
    const unit = readFileSync(UNIT, 'utf8').replaceAll('@APP_DIR@', app).replaceAll('@NODE_DIR@', '/usr/bin');
    const file = path.join(work, 'tinylcm-device.service');
    writeFileSync(file, unit);
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const hardening of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'ProtectHome=yes'])
      expect(unit).toContain(hardening);
  });
});
