#!/usr/bin/env node
// Runs the compiled server (dist/); in a source checkout it first rebuilds dist/ when stale.
import { existsSync } from 'node:fs';

const builder = new URL('../../../scripts/cli-build.mjs', import.meta.url);
if (existsSync(builder)) {
  process.setSourceMapsEnabled(true); // stack traces point at the TypeScript
  await (await import(builder.href)).ensureFreshCli('tinysphere');
}
await import('../dist/tinysphere.mjs');
