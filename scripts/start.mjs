#!/usr/bin/env node
// The README's main job: the demo — TinySphere on embedded defaults (PGlite + files under
// ./.tinymlops/demo) serving the dashboard, the project's model registered, three simulated
// devices with drift. See apps/fleet-sim/README.md. Ctrl-C reaches the demo, which stops the
// devices, then the server.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// The server serves the dashboard from apps/dashboard/dist; build it once on a fresh checkout.
if (!existsSync('apps/dashboard/dist/index.html')) {
  console.log('Building the dashboard (first start only)…');
  const build = spawnSync('npm', ['run', 'build', '-w', '@tinymlops/dashboard'], { stdio: 'inherit' });
  if (build.status !== 0) console.error('The dashboard did not build; the demo starts without it (API docs at /docs).');
}
const child = spawn(process.execPath, ['apps/fleet-sim/bin/demo.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
