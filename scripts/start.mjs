#!/usr/bin/env node
// The README's main job. Runs the demo (server + simulated devices) when it exists, otherwise
// the TinySphere server alone on embedded defaults (PGlite + filesystem under ./.tinymlops).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [
  { entry: 'apps/fleet-sim/bin/demo.mjs', args: [] },
  { entry: 'apps/tinysphere/bin/tinysphere.mjs', args: ['serve'] },
];
const found = candidates.find((c) => existsSync(c.entry));
if (!found) {
  console.error('Nothing to start yet: the TinySphere server (issue 5) has not landed in this checkout.');
  process.exit(1);
}
// The server serves the dashboard from apps/dashboard/dist; build it once on a fresh checkout.
if (!existsSync('apps/dashboard/dist/index.html')) {
  const build = spawnSync('npm', ['run', 'build', '-w', '@tinymlops/dashboard'], { stdio: 'inherit' });
  if (build.status !== 0) console.error('The dashboard did not build; the server starts without it.');
}
const child = spawn(process.execPath, [found.entry, ...found.args, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
