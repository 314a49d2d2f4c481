#!/usr/bin/env node
// `npm run bench`: runs every `bench:*` script of the root package.json in turn (each appends its
// rows to docs/benchmarks.md). `npm run bench -- drift server` runs only those.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const scripts = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).scripts).filter((s) =>
  s.startsWith('bench:'),
);
const wanted = process.argv.slice(2);
const chosen = wanted.length ? scripts.filter((s) => wanted.includes(s.slice(6))) : scripts;
if (!chosen.length) {
  console.error(`no benchmark matches ${wanted.join(', ')}; available: ${scripts.map((s) => s.slice(6)).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const s of chosen) {
  console.log(`\n==> npm run ${s}`);
  const r = spawnSync('npm', ['run', '--silent', s], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
