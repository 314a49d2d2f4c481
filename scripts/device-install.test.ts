import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeviceConfig } from '@tinymlops/contracts';
import { REPO, SLOW_TESTS } from './device-release-testing.js';

/**
 * docs/device.md, "Try the installer without a Pi": runs exactly the commands of that block, in a
 * temporary folder, on a fresh clone of this repository's HEAD (commit first to test changes).
 * Slow (a clone, `npm ci`, a pack, an install): runs when TINYMLOPS_SLOW_TESTS=1, as in .ci/run.
 */
function documentedCommands(): string {
  const doc = readFileSync(path.join(REPO, 'docs/device.md'), 'utf8');
  const section = doc.slice(
    doc.indexOf('<!-- device-install-test:begin -->'),
    doc.indexOf('<!-- device-install-test:end -->'),
  );
  const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/device.md has no device-install-test block');
  return block;
}

describe.runIf(SLOW_TESTS)('the documented device install, on a fresh clone', () => {
  let work = '';
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('installs the release with install.sh and the installed tinylcm-device runs', async () => {
    work = await mkdtemp(path.join(tmpdir(), 'device-install-'));
    const commands = documentedCommands();
    expect(commands).toContain('<repository>');
    const script = `set -ex\n${commands.replaceAll('<repository>', REPO)}`;
    // The onnxruntime-node postinstall would fetch GPU providers from the internet (CI has none).
    const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
    const r = spawnSync('sh', ['-c', script], { cwd: work, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out.slice(-4000)).toBe(0);
    expect(out).toMatch(/Usage: tinylcm-device \[options\] \[command\]/);
    expect(out).toMatch(/stopped after 20 frames/);

    const root = path.join(work, 'pi-root');
    const config = JSON.parse(readFileSync(path.join(root, 'etc/tinylcm/device.json'), 'utf8')) as unknown;
    expect(DeviceConfig.parse(config)).toMatchObject({
      dataDir: '/var/lib/tinylcm',
      model: { bundle: '/opt/tinylcm/current/models/fashion-mnv2' },
    });
    const unit = readFileSync(path.join(root, 'etc/systemd/system/tinylcm-device.service'), 'utf8');
    expect(unit).toContain('ExecStart=/opt/tinylcm/current/apps/device/bin/tinylcm-device.mjs run');
    const installed = path.join(root, 'opt/tinylcm/current');
    expect(existsSync(path.join(installed, 'node_modules/sharp'))).toBe(true);
    for (const devOnly of ['vitest', 'tsx', 'esbuild', 'typescript', '@tinymlops'])
      expect(existsSync(path.join(installed, 'node_modules', devOnly)), devOnly).toBe(false);
  }, 900_000);

  it('uninstalls: keeps the config and data, and --purge removes them too', () => {
    const root = path.join(work, 'pi-root');
    const script = path.join(work, 'tinymlops/apps/device/deploy/install.sh');
    execFileSync('sh', [script, '--root', root, '--uninstall'], { encoding: 'utf8' });
    expect(existsSync(path.join(root, 'opt/tinylcm'))).toBe(false);
    expect(existsSync(path.join(root, 'usr/local/bin/tinylcm-device'))).toBe(false);
    expect(existsSync(path.join(root, 'etc/systemd/system/tinylcm-device.service'))).toBe(false);
    expect(existsSync(path.join(root, 'etc/tinylcm/device.json'))).toBe(true);
    execFileSync('sh', [script, '--root', root, '--uninstall', '--purge'], { encoding: 'utf8' });
    expect(existsSync(path.join(root, 'etc/tinylcm'))).toBe(false);
    expect(existsSync(path.join(root, 'var/lib/tinylcm'))).toBe(false);
  });
});
