#!/usr/bin/env node
// @ts-check
/**
 * `npm run pack:device`: the device release, `dist/tinylcm-device-<version>.tgz`. Compiled
 * JavaScript (no TypeScript, no dev tooling), the launcher, the install script and systemd unit,
 * the project's model bundle, the dataset sample and the example configs, laid out as in the
 * repository (so the paths the code derives from its own location hold), plus a package.json
 * listing only the npm packages the compiled code imports and an npm-shrinkwrap.json pinning them
 * and everything below them to the versions this repository's lock file tested.
 * On the device: `sudo sh install.sh tinylcm-device-<version>.tgz` (docs/device.md).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCli, REPO_ROOT } from './cli-build.mjs';
import { lockedVersions, runtimeGraphProblems, shrinkwrapFor } from './runtime-deps.mjs';

/** Repository paths the release carries (besides the compiled output and generated files). */
const RELEASE_FILES = [
  'LICENSE',
  'apps/device/bin/tinylcm-device.mjs',
  'apps/device/deploy',
  'apps/device/README.md',
  'docs/device.md',
  'models/fashion-mnv2',
  'datasets/fashion-mnist',
  'examples/device-configs',
  'packages/tinylcm/native/xnnpack', // sources: install.sh builds the addon on the device
];
/** Never shipped: build output of this machine (another CPU's addon). */
const skip = (/** @type {string} */ src) => !/\/native\/xnnpack\/build(\/|$)/.test(src.split(path.sep).join('/'));

const at = (/** @type {string} */ p) => path.join(REPO_ROOT, p);
const device = JSON.parse(readFileSync(at('apps/device/package.json'), 'utf8'));

const { metafile, externals } = await buildCli('device');
const problems = runtimeGraphProblems(Object.keys(metafile.inputs), externals);
if (problems.length > 0) throw new Error(`the device's runtime import graph is not clean:\n  ${problems.join('\n  ')}`);

const stage = at('dist/tinylcm-device');
rmSync(stage, { recursive: true, force: true });
for (const file of RELEASE_FILES) cpSync(at(file), path.join(stage, file), { recursive: true, filter: skip });
for (const out of Object.keys(metafile.outputs)) cpSync(at(out), path.join(stage, out));

const manifest = {
  name: 'tinylcm-device',
  version: device.version,
  description: device.description,
  license: device.license,
  private: true,
  type: 'module',
  engines: device.engines,
  bin: { 'tinylcm-device': 'apps/device/bin/tinylcm-device.mjs' },
  dependencies: lockedVersions(externals.keys()),
  tinymlops: { commit: gitCommit(), builtAt: new Date().toISOString() },
};
writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const { tinymlops, description, type, private: _private, ...lockRoot } = manifest;
void [tinymlops, description, type, _private];
writeFileSync(path.join(stage, 'npm-shrinkwrap.json'), `${JSON.stringify(shrinkwrapFor(lockRoot), null, 2)}\n`);
writeFileSync(
  path.join(stage, 'README.md'),
  `# tinylcm-device ${device.version}\n\nThe TinyLCM edge device program, compiled. Install on a Raspberry Pi:\n\n` +
    '    sudo sh apps/device/deploy/install.sh tinylcm-device-' +
    `${device.version}.tgz\n\nSee docs/device.md.\n`,
);

mkdirSync(at('dist'), { recursive: true });
const packed = execFileSync('npm', ['pack', stage, '--pack-destination', at('dist'), '--silent'], { encoding: 'utf8' });
const tarball = at(`dist/${packed.trim().split('\n').at(-1)}`);
const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
writeFileSync(`${tarball}.sha256`, `${sha256}  ${path.basename(tarball)}\n`);
const mb = (statSync(tarball).size / 1048576).toFixed(1);
console.log(`${path.relative(process.cwd(), tarball)} (${mb} MiB, sha256 ${sha256.slice(0, 16)}…)`);
const deps = Object.entries(manifest.dependencies).map(([name, version]) => `${name}@${version}`);
console.log(`runtime dependencies: ${deps.join(', ')}`);

/** The commit the release was built from, with `-dirty` when the work tree has changes. */
function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}
