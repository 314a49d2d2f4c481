/**
 * `npm run bench:cli`: start-up time of `--help` of the three CLIs, through their launchers
 * (compiled JavaScript) and, side by side in the same run, through tsx (how they started before
 * they were compiled), with a bare `node -e 0` for scale. Measured with hyperfine (Debian:
 * `apt-get install hyperfine`). Goal: each CLI's `--help` < 0.5 s.
 * Options: `--runs N` (default 10), `--json` (rows as one JSON line), `--no-append`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFreshCli } from '../scripts/cli-build.mjs';
import { appendBenchmarks } from './benchmarks-doc.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const runs = Number(arg('--runs') ?? 10);

const CLIS = [
  { app: 'device', name: 'tinylcm-device', bin: 'apps/device/bin/tinylcm-device.mjs' },
  { app: 'tinysphere', name: 'tinysphere', bin: 'apps/tinysphere/bin/tinysphere.mjs' },
  { app: 'fleet-sim', name: 'fleet-sim', bin: 'apps/fleet-sim/bin/fleet-sim.mjs' },
];

interface Row {
  command: string;
  how: 'compiled' | 'tsx' | 'bare node';
  meanMs: number;
  stddevMs: number;
  cpuMs: number;
}

interface HyperfineResult {
  command: string;
  mean: number;
  stddev: number;
  user: number;
  system: number;
}

function hyperfine(commands: string[]): HyperfineResult[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
  const out = path.join(dir, 'out.json');
  try {
    execFileSync('hyperfine', ['-N', '--warmup', '2', '--runs', String(runs), '--export-json', out, ...commands], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return (JSON.parse(readFileSync(out, 'utf8')) as { results: HyperfineResult[] }).results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  execFileSync('hyperfine', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('bench:cli needs hyperfine: apt-get install hyperfine');
  process.exit(2);
}
for (const c of CLIS) await ensureFreshCli(c.app); // measure start-up, not a rebuild
const load = os.loadavg().map((l) => l.toFixed(2));
const commands = [
  { command: 'node -e 0', how: 'bare node' as const },
  ...CLIS.flatMap((c) => [
    { command: `node ${c.bin} --help`, how: 'compiled' as const },
    { command: `node --import tsx ${path.join(path.dirname(c.bin), '../src/cli.ts')} --help`, how: 'tsx' as const },
  ]),
];
const results = hyperfine(commands.map((c) => c.command));
const rows: Row[] = results.map((r, i) => ({
  command: r.command,
  how: commands[i]?.how ?? 'compiled',
  meanMs: Math.round(r.mean * 1000),
  stddevMs: Math.round(r.stddev * 1000),
  cpuMs: Math.round((r.user + r.system) * 1000),
}));

const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
const lines = [
  `\n## CLI start-up (\`--help\`) — ${new Date().toISOString()}\n`,
  `${cpu}, ${os.cpus().length} cores, Node ${process.version}, ${os.arch()}; ` +
    `load average at start ${load.join(' / ')} (1 / 5 / 15 min). \`npm run bench:cli\`: hyperfine, ` +
    `${runs} runs after 2 warm-ups each; compiled = the launcher in \`apps/<app>/bin\` (what users run), ` +
    'tsx = the TypeScript entry through tsx (how the CLIs started before). Goal: < 500 ms.\n',
  '| command | mean ± σ ms | CPU (user + sys) ms | tsx / compiled |',
  '|---|---|---|---|',
];
for (const [i, r] of rows.entries()) {
  const tsx = r.how === 'compiled' ? rows[i + 1] : undefined;
  const ratio = tsx ? `${(tsx.meanMs / r.meanMs).toFixed(1)}×` : '';
  const goal = r.how === 'compiled' ? (r.meanMs < 500 ? ' ✓' : ' ✗') : '';
  lines.push(`| \`${r.command}\` | ${r.meanMs} ± ${r.stddevMs}${goal} | ${r.cpuMs} | ${ratio} |`);
}
const section = `${lines.join('\n')}\n`;
console.log(section);
if (!process.argv.includes('--no-append')) appendBenchmarks(section);
if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
