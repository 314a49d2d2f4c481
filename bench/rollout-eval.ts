/**
 * `npm run eval:rollout [-- --devices 60] [-- --good-runs 5] [-- --soak 30] [-- --fps 4]
 * [-- --no-record] [-- --json]`: fleet-sim light devices against one real `tinysphere serve`
 * (PGlite), through staged rollouts: `--good-runs` good model versions, one bad model (its
 * devices replay a drifting stream, so drift episodes rise) and two bad configurations (one
 * names a class the model lacks, so devices refuse it; one they accept, whose detectors are so
 * tight that drift episodes explode), all with the server's default thresholds. Prints a table, appends it to
 * docs/benchmarks.md unless `--no-record`, and ends with the JSON array of rollouts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RolloutView } from '@tinymlops/contracts';
import { TinySphereProcess } from '../apps/fleet-sim/src/tinysphere-process.js';
import { appendBenchmarks } from './benchmarks-doc.js';
import { RolloutApi } from './rollout-api.js';
import { openEvalDevice, playFrames, rolloutRecordings, TOUCHY_DETECTOR, type EvalDevice } from './rollout-fleet.js';

const HELP = `usage: npm run eval:rollout -- [--devices 60] [--good-runs 5] [--soak 30] [--fps 4] [--no-record] [--json]`;
const { values: o } = parseArgs({
  options: {
    devices: { type: 'string', default: '60' },
    'good-runs': { type: 'string', default: '5' },
    soak: { type: 'string', default: '30' },
    fps: { type: 'string', default: '4' },
    'no-record': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (o.help) {
  console.log(HELP);
  process.exit(0);
}
const N = Number(o.devices);
const SOAK = Number(o.soak);
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const MODEL = 'eval-model';
const BAD_MODEL = '2.0.0';
const TOKEN = 'eval-rollout-enrolment';

/** One rollout's result, as the issue's JSON line names them. */
interface Result {
  kind: 'model' | 'config';
  version: string;
  good: boolean;
  halted: boolean;
  haltedInWave: number | null;
  devicesOnBadVersion: number;
  canaryDevices: number;
  completed: boolean;
  secondsToHalt: number | null;
  /** The server rolled the rollout's devices back, and every one of them got there. */
  rolledBack: boolean;
  haltReason: string | null;
}

/**
 * Waves and soak for seconds instead of hours. The thresholds are the server's defaults: rates
 * and means are judged at the end of each soak, and only a change significantly past the limit
 * (with at least the minimum sample) halts. The soak is 30 s because at 15 s the bad model's
 * canary raised about 3 drift episodes, the minimum, and on a loaded machine (fewer frames a
 * second, packages ingested later) one recorded run let it through to wave 3.
 */
const plan = {
  target: { kind: 'all' as const },
  waves: [{ devices: 3 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
  soakSeconds: SOAK,
};

async function main(): Promise<void> {
  const load = os.loadavg()[0]!.toFixed(2);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eval-rollout-'));
  const tokenFile = path.join(dir, 'admin-token');
  const server = await TinySphereProcess.start({
    db: `pglite:${path.join(dir, 'db')}`,
    blobs: `file:${path.join(dir, 'blobs')}`,
    port: 0,
    demoEnrolmentToken: TOKEN,
    adminTokenFile: tokenFile,
    extraArgs: ['--rollout-step', '1', '--device-rate-limit', '0'],
  });
  const devices: EvalDevice[] = [];
  let stopFrames = async () => {};
  try {
    const api = new RolloutApi(
      server.url,
      (JSON.parse(await readFile(tokenFile, 'utf8')) as { apiToken: string }).apiToken,
    );
    log('recording the calm and the drifting stream with the real model (cached) …');
    const recordings = await rolloutRecordings(fileURLToPath(new URL('./.cache/eval-rollout', import.meta.url)));
    const goods = Array.from({ length: Number(o['good-runs']) }, (_, i) => `1.${i + 1}.0`);
    for (const v of ['1.0.0', ...goods, BAD_MODEL]) await api.uploadModel(MODEL, v);
    await api.newConfig('eval-cameras', '1.0.0', {
      drift: { detectors: [{ kind: 'knn-distance', options: { knownClasses: ['bag', 'shrit'] } }] },
    });
    await api.newConfig('eval-cameras', '1.1.0', { drift: { detectors: [TOUCHY_DETECTOR] } });
    log(`opening ${N} light devices …`);
    for (let i = 0; i < N; i++) {
      const d = await openEvalDevice({
        index: i,
        dataDir: dir,
        serverUrl: server.url,
        enrolmentToken: TOKEN,
        recordings,
        badVersions: new Set([BAD_MODEL]),
        touchyConfigs: new Set(['eval-cameras@1.1.0']),
      });
      devices.push(d);
      d.device.startSync();
    }
    stopFrames = playFrames(devices, Number(o.fps));
    await untilAll(devices, () => devices.every((d) => d.device.deviceId !== undefined), 120);
    log('installing the starting version everywhere (one wave, no soak) …');
    const base = await api.startRollout({
      ...plan,
      deployable: { kind: 'model', modelId: MODEL, version: '1.0.0' },
      waves: [{ percent: 100 }],
      soakSeconds: 0,
    });
    await api.settle(base.id, 120_000);
    await untilAll(devices, () => devices.every((d) => d.device.stats().model === `${MODEL}@1.0.0`), 120);
    const results: Result[] = [];
    const run = async (kind: 'model' | 'config', version: string, good: boolean) => {
      const started = await api.startRollout({
        ...plan,
        deployable: kind === 'model' ? { kind, modelId: MODEL, version } : { kind, configId: 'eval-cameras', version },
      });
      const end = await api.settle(started.id, SOAK * 1000 * 8 + 120_000);
      const result = await resultOf(api, end, kind, good, devices);
      if (result.rolledBack)
        result.rolledBack = await backAgain(
          devices,
          kind === 'model' ? `${MODEL}@${version}` : `eval-cameras@${version}`,
        );
      results.push(result);
      log(`${kind} ${version} (${good ? 'good' : 'bad'}): ${end.state}${end.haltReason ? ` — ${end.haltReason}` : ''}`);
      if (end.state === 'completed')
        await untilAll(
          devices,
          () => devices.every((d) => kind === 'config' || d.device.stats().model === `${MODEL}@${version}`),
          120,
        );
    };
    for (const v of goods) await run('model', v, true);
    await run('model', BAD_MODEL, false);
    await run('config', '1.0.0', false);
    await run('config', '1.1.0', false);
    report(results, load);
  } finally {
    await stopFrames();
    for (const d of devices) await d.device.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function resultOf(
  api: RolloutApi,
  r: RolloutView,
  kind: 'model' | 'config',
  good: boolean,
  devices: EvalDevice[],
): Promise<Result> {
  const audit = (await api.audit(r.id)).items;
  const halt = audit.find((a) => a.action === 'halt');
  const ref = `${kind === 'model' ? MODEL : 'eval-cameras'}@${r.version}`;
  const ran = devices.filter((d) => (kind === 'model' ? d.device.modelsRun.has(ref) : d.configsApplied.has(ref)));
  return {
    kind,
    version: r.version,
    good,
    halted: r.state === 'halted',
    haltedInWave: halt ? halt.wave : null,
    devicesOnBadVersion: good ? 0 : ran.length,
    canaryDevices: r.waves[0]!.devices.length,
    completed: r.state === 'completed',
    secondsToHalt: halt ? Math.round((Date.parse(halt.at) - Date.parse(r.createdAt)) / 100) / 10 : null,
    haltReason: r.haltReason,
    rolledBack: audit.some((a) => a.action === 'rollback'),
  };
}

/** Whether every device leaves `ref` (a model or configuration version) within a minute. */
async function backAgain(devices: EvalDevice[], ref: string): Promise<boolean> {
  const on = (d: EvalDevice) => d.device.stats().model === ref || d.configNow() === ref;
  try {
    await untilAll(devices, () => !devices.some(on), 60);
    return true;
  } catch {
    return false;
  }
}

async function untilAll(devices: EvalDevice[], done: () => boolean, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!done()) {
    if (Date.now() > until)
      throw new Error(`devices did not get there within ${seconds} s (${devices.length} devices)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function report(results: Result[], load: string): void {
  const falseHalts = results.filter((r) => r.good && r.halted).length;
  const rows = results.map(
    (r) =>
      `| ${r.kind} ${r.version} | ${r.good ? 'good' : 'bad'} | ${r.completed ? 'completed' : r.halted ? `halted in wave ${r.haltedInWave! + 1}` : 'neither'} | ${r.canaryDevices} | ${r.devicesOnBadVersion} | ${r.secondsToHalt ?? '–'} | ${r.rolledBack ? 'yes' : 'no'} |`,
  );
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${load} at the start`;
  const table = [
    `\n## eval:rollout — ${new Date().toISOString()}\n`,
    `${N} light fleet-sim devices, one \`tinysphere serve\` (PGlite), waves 3 devices → 10 % → 50 % → 100 %, soak ${SOAK} s, default thresholds, ${o.fps} frames/s per device; ${machine}. False halts in ${results.filter((r) => r.good).length} good rollouts: ${falseHalts}.\n`,
    '| rollout | version is | outcome | canary devices | devices that ran the bad version | seconds to halt | rolled back |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  log(table);
  if (!o['no-record']) appendBenchmarks(table);
  const line = results.map(({ version: _v, haltReason: _h, ...r }) => r);
  log(`false halts: ${falseHalts} in ${results.filter((r) => r.good).length} good rollouts`);
  console.log(JSON.stringify(o.json ? results.map((r) => ({ ...r })) : line));
}

await main();
