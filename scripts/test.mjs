#!/usr/bin/env node
// The README's test command. Runs every vitest project (tests start what they need themselves:
// a throwaway PostgreSQL cluster, servers on loopback) and ends with `N passed, N failed`.
// With TINYMLOPS_TALLY=<file> (set by .ci/run) it adds its counts to that file and the last line
// sums every run in it: CI's extra runs on other Node versions count into the final line.
// `--label <text>` names the run in that sum.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { CLI_APPS, ensureFreshCli } from './cli-build.mjs';

const out = 'test-results/vitest.json';
mkdirSync('test-results', { recursive: true });
rmSync(out, { force: true });
const argv = process.argv.slice(2);
const labelAt = argv.indexOf('--label');
const label = labelAt >= 0 ? argv.splice(labelAt, 2)[1] : 'npm test';
// Tests start the CLIs as processes; compile them once here rather than in many processes at once.
for (const app of Object.keys(CLI_APPS)) await ensureFreshCli(app);
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...argv];
const run = spawnSync('npx', args, { stdio: 'inherit', env: process.env });

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(out)) {
  const report = JSON.parse(readFileSync(out, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const brokenFiles = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && f.assertionResults.length === 0,
  );
  failed += brokenFiles.length; // a file that fails to load counts as a failure, not as nothing
  for (const f of brokenFiles) console.error(`failed to run: ${f.name}\n${f.message ?? ''}`);
} else {
  failed = 1;
  const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.status}`;
  console.error(`vitest ${how} and wrote no report; counting the run as failed`);
}
const code = run.status === 0 && failed === 0 ? 0 : 1;
const line = (c) => `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`;
const own = { label, node: process.version, passed, failed, skipped };
let runs = [own];
if (process.env.TINYMLOPS_TALLY) {
  appendFileSync(process.env.TINYMLOPS_TALLY, `${JSON.stringify(own)}\n`);
  runs = readFileSync(process.env.TINYMLOPS_TALLY, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  console.log('');
  for (const r of runs) console.log(`${r.label} (Node ${r.node}): ${line(r)}`);
}
const sum = (key) => runs.reduce((a, r) => a + r[key], 0);
const total = { passed: sum('passed'), failed: sum('failed'), skipped: sum('skipped') };
console.log(`\n${line(total)}`);
process.exit(total.failed > 0 ? 1 : code);
