#!/usr/bin/env node
// The `npm start` demo: TinySphere + three simulated devices (see src/demo/demo.ts), compiled in
// dist/; in a source checkout dist/ is rebuilt first when stale.
import { existsSync } from 'node:fs';

const builder = new URL('../../../scripts/cli-build.mjs', import.meta.url);
if (existsSync(builder)) {
  process.setSourceMapsEnabled(true); // stack traces point at the TypeScript
  await (await import(builder.href)).ensureFreshCli('fleet-sim');
}
await import('../dist/demo.mjs');
