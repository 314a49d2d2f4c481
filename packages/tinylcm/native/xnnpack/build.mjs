#!/usr/bin/env node
/**
 * `npm run build:xnnpack`: compiles TinyLCM's XNNPACK addon (tinylcm_xnnpack.c) against Debian's
 * libxnnpack-dev and libpthreadpool-dev into native/xnnpack/build/tinylcm_xnnpack.node.
 * Needs a C compiler, the two -dev packages and Node's headers (shipped with Node in include/node,
 * or Debian's libnode-dev). Without the addon TinyLCM still runs, on LiteRT.js (WASM).
 *   apt-get install -y build-essential libxnnpack-dev libpthreadpool-dev
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'build', 'tinylcm_xnnpack.node');
if (process.argv.includes('--help')) {
  console.log(
    'usage: npm run build:xnnpack [-- --if-possible]\n' +
      'Compiles the XNNPACK addon. --if-possible: exit 0 with a note when the compiler or libraries are missing.',
  );
  process.exit(0);
}
const soft = process.argv.includes('--if-possible');
const nodeInclude = [
  path.join(path.dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].find((d) => fs.existsSync(path.join(d, 'node_api.h')));
const missing = [];
if (!nodeInclude) missing.push("Node's headers (include/node/node_api.h)");
if (!['/usr/include/xnnpack.h', '/usr/local/include/xnnpack.h'].some((f) => fs.existsSync(f)))
  missing.push('xnnpack.h (apt-get install libxnnpack-dev libpthreadpool-dev)');
const cc = process.env.CC ?? 'cc';
try {
  execFileSync(cc, ['--version'], { stdio: 'ignore' });
} catch {
  missing.push(`a C compiler "${cc}" (apt-get install build-essential)`);
}
if (missing.length > 0) {
  console.error(`build:xnnpack: cannot build the XNNPACK addon, missing: ${missing.join('; ')}`);
  process.exit(soft ? 0 : 1);
}
fs.mkdirSync(path.dirname(out), { recursive: true });
const args = [
  '-O3',
  '-Wall',
  '-shared',
  '-fPIC',
  `-I${nodeInclude}`,
  path.join(here, 'tinylcm_xnnpack.c'),
  path.join(here, 'xnnpack_dense.c'),
  path.join(here, 'knn_distances.c'),
  path.join(here, 'area_resize.c'),
  '-lXNNPACK',
  '-lpthreadpool',
  '-lm',
  '-o',
  out,
];
console.log(`build:xnnpack: ${cc} ${args.join(' ')}`);
execFileSync(cc, args, { stdio: 'inherit' });
console.log(`build:xnnpack: wrote ${path.relative(process.cwd(), out)}`);
