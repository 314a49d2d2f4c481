#!/usr/bin/env -S node --liftoff-only --max-semi-space-size=1
// The tinylcm-device launcher. The V8 flags on the first line are THE place the device's Node
// flags are chosen (by `npm run bench:device`; docs/tinylcm.md, "Inference backends"):
// --liftoff-only compiles LiteRT's WASM with V8's baseline compiler only and
// --max-semi-space-size=1 keeps per-frame garbage from growing the young generation (~130 MB peak
// RSS instead of ~210 MB on a 512 MB board). Started as a program (systemd, /usr/local/bin, npm's
// bin link) the kernel passes them; started as `node tinylcm-device.mjs run …` the launcher
// restarts `run` once with them (Node refuses --liftoff-only in NODE_OPTIONS).
// It then runs the compiled program (dist/), rebuilding it first in a source checkout when stale.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

const self = new URL(import.meta.url);
const nodeFlags = readFileSync(self, 'utf8').split('\n', 1)[0].split(/\s+/).slice(3);
const active = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const missing = nodeFlags.filter((f) => !active.includes(f));

if (missing.length > 0 && process.argv[2] === 'run') {
  // Same process group: Ctrl-C reaches the child from the terminal, so it is not forwarded.
  const child = spawn(process.execPath, [...nodeFlags, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
} else {
  const builder = new URL('../../../scripts/cli-build.mjs', self);
  if (existsSync(builder)) {
    process.setSourceMapsEnabled(true); // a source checkout: stack traces point at the TypeScript
    await (await import(builder.href)).ensureFreshCli('device');
  }
  await import('../dist/tinylcm-device.mjs');
}
