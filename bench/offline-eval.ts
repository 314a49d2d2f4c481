/**
 * `npm run eval:offline [-- --json] [-- --record]`: a device offline for 7 days at 1 frame/s with
 * drift, on an injected clock, then reconnected. What is real and what is simulated:
 * - REAL: the first `--real-frames` frames (default 1200, a held-out-class episode among them) go
 *   through the whole EdgeDevice (LiteRT inference, KNN, drift detectors, drift reporter,
 *   telemetry, outbox); every sync round of the 7 days runs the real DeviceSync (telemetry drain,
 *   package build, outbox enqueue with the budget, a failed network attempt); every drift report is
 *   built by the real DriftReporter; reconnection uploads everything over real HTTP to a loopback
 *   server in another process.
 * - SIMULATED: the inference of the other frames. Their results are replayed: each minute feeds 60
 *   recorded calm results to the telemetry; every 6 h the recorded episode (start … end, with its
 *   frames) is replayed through the drift reporter, so it emits real samples with fresh ids.
 * - The clock: every frame and every round move an injected clock; nothing waits.
 * CPU: `process.cpuUsage()` around the per-frame work (inference path) and around the sync work
 * (rounds, packaging of reports, uploads); syncCpuShare = sync CPU / (frame CPU × frames).
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeviceConfig } from '@tinymlops/contracts';
import { readFashionMnist, scenarioStream } from '@tinymlops/testkit';
import { EdgeDevice, EpisodeIds, type PipelineResult, type RawFrame } from '@tinymlops/tinylcm';
import { appendBenchmarks } from './benchmarks-doc.js';
import { benchmarkRow, summaryLines, type OfflineEvalDetail, type OfflineEvalResult } from './offline-eval-report.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DAYS = arg('days', 7);
const REAL_FRAMES = arg('real-frames', 1200);
const BUDGET = arg('budget-mb', 4) * 1024 * 1024;
const SYNC_S = arg('sync-interval', 60);
const EPISODE_EVERY_S = 6 * 3600;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function startReceiver() {
  const execArgv = ['--import', 'tsx'];
  const child = fork(path.join(ROOT, 'bench/offline-eval-receiver.ts'), { execArgv, stdio: 'inherit' });
  const url = await new Promise<string>((resolve) => child.once('message', (m) => resolve((m as { url: string }).url)));
  const stats = () => {
    child.send('stats');
    return new Promise<{ puts: string[]; stored: string[] }>((r) => child.once('message', (m) => r(m as never)));
  };
  return { url, stats, stop: () => child.disconnect() };
}

/** The device under test, its link to the receiver and the CPU accounting of its sync work. */
async function openDevice(dir: string, serverUrl: string, clock: () => number) {
  const server = { url: serverUrl, enrolmentToken: 'demo-open-enrolment', syncIntervalSeconds: SYNC_S };
  const source = { type: 'dataset', name: 'fashion-mnist-sample', scenario: 'held-out-classes' } as const;
  const bundle = path.join(ROOT, 'models/fashion-mnv2');
  const outbox = { budgetBytes: BUDGET };
  const config = DeviceConfig.parse({
    schemaVersion: 1,
    name: 'offline-eval',
    dataDir: 'data',
    model: { bundle },
    source,
    server,
    outbox,
  });
  const link = { down: false };
  const fetchThroughLink: typeof fetch = (input, init) =>
    link.down ? Promise.reject(new TypeError('fetch failed (link down)')) : fetch(input, init);
  const options = { now: clock, fetch: fetchThroughLink, hardwareId: 'offline-eval' };
  const device = await EdgeDevice.open({ config, baseDir: dir, ...options });
  const meter = { sync: 0, inRound: false, peak: 0, evicted: new Set<string>() };
  // Every report becomes a package here (drift reports inside process(), telemetry in rounds):
  // count packaging as sync work, not frame work.
  const enqueue = device.packages.enqueue.bind(device.packages);
  device.packages.enqueue = async (parts) => {
    const t = process.cpuUsage();
    await enqueue(parts);
    if (!meter.inRound) meter.sync += cpuMs(t);
  };
  // Packages the budget evicts (also the few evicted during reconnection, by the telemetry
  // packaged at the start of each round) are dropped by policy, not lost.
  const outboxEnqueue = device.outbox.enqueue.bind(device.outbox);
  device.outbox.enqueue = async (pkg) => {
    const r = await outboxEnqueue(pkg);
    for (const id of r.evicted) meter.evicted.add(id);
    return r;
  };
  const round = async () => {
    meter.inRound = true;
    const t = process.cpuUsage();
    await device.sync?.syncOnce();
    meter.sync += cpuMs(t);
    meter.inRound = false;
    meter.peak = Math.max(meter.peak, device.outbox.stats().bytes);
  };
  return { device, link, meter, round };
}

async function main(): Promise<{ result: OfflineEvalResult; detail: OfflineEvalDetail }> {
  const loadAtStart = os.loadavg()[0] ?? 0;
  let now = Date.UTC(2026, 0, 5);
  const receiver = await startReceiver();
  // tmpfs when there is one: fsync cost is I/O wait, not CPU, and would only slow the run down.
  const dir = await mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'offline-eval-'));
  const { device, link, meter, round } = await openDevice(dir, receiver.url, () => now);
  await round(); // enrol while online
  link.down = true;

  // REAL frames: the full pipeline; the first episode (start … end) is recorded for replay.
  const set = await readFashionMnist();
  const episodes = [{ start: 300, end: 600 }];
  const { frames } = scenarioStream(set, { scenario: 'held-out-classes', frames: REAL_FRAMES, seed: 1, episodes });
  const tape: { r: PipelineResult; frame: RawFrame }[] = [];
  const calm: PipelineResult[] = [];
  let recording = false;
  let frameCpu = 0;
  let framesDone = 0;
  for (const f of frames) {
    now += 1000;
    const frame: RawFrame = { data: f.pixels, width: f.width, height: f.height, channels: 1 };
    const packagedBefore = meter.sync;
    const t = process.cpuUsage();
    const r = await device.process(frame);
    frameCpu += cpuMs(t) - (meter.sync - packagedBefore);
    framesDone++;
    if (r.driftEvents.some((e) => e.phase === 'start') && tape.length === 0) recording = true;
    if (recording) tape.push({ r, frame });
    if (r.driftEvents.some((e) => e.phase === 'end')) recording = false;
    if (!recording && !f.driftActive && calm.length < 600) calm.push(r);
    if (framesDone % SYNC_S === 0) await round();
  }
  if (tape.length === 0 || recording) throw new Error('the real frames held no complete drift episode to replay');

  // SIMULATED frames: replayed results, real sync rounds, one replayed episode every 6 h.
  const totalFrames = DAYS * 86_400;
  let nextEpisode = EPISODE_EVERY_S;
  let replayed = 1;
  for (let s = framesDone; s < totalFrames; s += SYNC_S) {
    now += SYNC_S * 1000;
    for (let i = 0; i < SYNC_S; i++) device.telemetry.observe(calm[(s + i) % calm.length]!);
    if (s >= nextEpisode) {
      const ids = new EpisodeIds(); // a replayed episode is a new episode, with a new id
      for (const { r, frame } of tape) await device.drift.observe(r, frame, ids.of(r));
      nextEpisode += EPISODE_EVERY_S;
      replayed++;
    }
    await round();
  }
  const offlineSyncCpu = meter.sync;
  const belowBudget = device.outbox.pending().map((e) => e.packageId);
  const stats = device.outbox.stats();

  // Reconnect: rounds until the outbox is empty; the clock jumps past any backoff.
  link.down = false;
  for (let i = 0; i < 10_000 && device.outbox.stats().packages > 0; i++) {
    now += 6 * 60_000;
    await round();
  }
  const got = await receiver.stats();
  const stored = new Set(got.stored);
  const result: OfflineEvalResult = {
    offlineDays: DAYS,
    framesPerSecond: 1,
    outboxPeakBytes: meter.peak,
    budgetBytes: BUDGET,
    lostBelowBudget: belowBudget.filter((id) => !stored.has(id) && !meter.evicted.has(id)).length,
    duplicated: got.puts.length - new Set(got.puts).size,
    syncCpuShare: Number((meter.sync / ((frameCpu / framesDone) * totalFrames)).toFixed(5)),
  };
  const detail: OfflineEvalDetail = {
    realFrames: framesDone,
    frameCpuMs: frameCpu / framesDone,
    syncCpuMs: meter.sync,
    offlineSyncCpuMs: offlineSyncCpu,
    rounds: Math.ceil(totalFrames / SYNC_S),
    episodes: replayed,
    packagesAtReconnect: belowBudget.length,
    delivered: stored.size,
    dropped: stats.dropped,
    evictedAfterReconnect: belowBudget.filter((id) => meter.evicted.has(id)).length,
    leftInOutbox: device.outbox.stats().packages,
    loadAtStart,
  };
  await device.close();
  receiver.stop();
  await rm(dir, { recursive: true, force: true });
  return { result, detail };
}

const { result, detail } = await main();
for (const line of summaryLines(result, detail)) console.log(line);
if (process.argv.includes('--record')) appendBenchmarks(benchmarkRow(result, detail));
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
