#!/usr/bin/env node
// The README's main job: the demo — TinySphere on embedded defaults (PGlite + files under
// ./.tinymlops/demo) serving the dashboard, the project's model registered, three simulated
// devices with drift, one per operational mode. See apps/fleet-sim/README.md. On a first start the
// demo builds the dashboard and creates the database side by side. Ctrl-C reaches the demo,
// which stops the devices, then the server.
import { spawn } from 'node:child_process';

const child = spawn(process.execPath, ['apps/fleet-sim/bin/demo.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
