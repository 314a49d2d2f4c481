/**
 * `npm run eval:offline [-- --json] [-- --record]`: a device offline for 7 days at 1 frame/s with
 * drift, on an injected clock, then reconnected. What is real and what is simulated:
 * - REAL: the first `--real-frames` frames (default 1200, a held-out-class episode among them) go
 *   through the whole EdgeDevice (LiteRT inference, KNN, drift monitor, drift reporter, telemetry,
 *   outbox); every sync round of the 7 days runs the real DeviceSync (telemetry drain, package
 *   build, outbox enqueue with the budget, a failed network attempt); every drift report is built by
 *   the real DriftReporter; reconnection uploads everything over real HTTP to a loopback server in
 *   another process.
 * - SIMULATED: the inference of the other frames. Their results are replayed: each minute feeds 60
 *   recorded calm results to the telemetry; every 6 h the recorded episode (start … end, with its
 *   frames) is replayed through the drift reporter, so it emits real samples with fresh ids.
 * - The clock: every frame and every round move an injected clock; nothing waits.
 * CPU: `process.cpuUsage()` around the per-frame work (inference path) and around the sync work
 * (rounds, packaging of drift reports, uploads); syncCpuShare = sync CPU / (frame CPU × frames).
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeviceConfig } from '@tinymlops/contracts';
import { readFashionMnist, scenarioStream } from '@tinymlops/testkit';
import { EdgeDevice, type PipelineResult, type RawFrame } from '@tinymlops/tinylcm';
import { appendBenchmarks } from './benchmarks-doc.js';

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
  const child = fork(path.join(ROOT, 'bench/offline-eval-receiver.ts'), { execArgv: ['--import', 'tsx'], stdio: 'inherit' }); // prettier-ignore
  const url = await new Promise<string>((resolve) => child.once('message', (m) => resolve((m as { url: string }).url)));
  const stats = () => {
    child.send('stats');
    return new Promise<{ puts: string[]; stored: string[] }>((r) => child.once('message', (m) => r(m as never)));
  };
  return { url, stats, stop: () => child.disconnect() };
}

async function main() {
  let now = Date.UTC(2026, 0, 5);
  let linkDown = false;
  const receiver = await startReceiver();
  // tmpfs when there is one: fsync cost is I/O wait, not CPU, and would only slow the run down.
  const dir = await mkdtemp(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'offline-eval-'));
  const config = DeviceConfig.parse({ schemaVersion: 1, name: 'offline-eval', dataDir: 'data', model: { bundle: path.join(ROOT, 'models/fashion-mnv2') }, source: { type: 'dataset', name: 'fashion-mnist-sample', scenario: 'held-out-classes' }, server: { url: receiver.url, enrolmentToken: 'demo-open-enrolment', syncIntervalSeconds: SYNC_S }, outbox: { budgetBytes: BUDGET } }); // prettier-ignore
  const fetchThroughLink: typeof fetch = (input, init) =>
    linkDown ? Promise.reject(new TypeError('fetch failed (link down)')) : fetch(input, init);
  const device = await EdgeDevice.open({ config, baseDir: dir, now: () => now, fetch: fetchThroughLink, hardwareId: 'offline-eval' }); // prettier-ignore
  const sync = device.sync!;
  let syncCpu = 0;
  let frameCpu = 0;
  let inRound = false;
  // Drift reports are packaged inside process(): count that packaging as sync work, not frame work.
  const enqueue = sync.enqueue.bind(sync);
  sync.enqueue = async (parts) => {
    const t = process.cpuUsage();
    await enqueue(parts);
    if (!inRound) syncCpu += cpuMs(t);
  };
  // Packages the budget evicts (also the few evicted during reconnection, by the telemetry
  // packaged at the start of each round) are dropped by policy, not lost.
  const evicted = new Set<string>();
  const outboxEnqueue = device.outbox.enqueue.bind(device.outbox);
  device.outbox.enqueue = async (pkg) => {
    const r = await outboxEnqueue(pkg);
    for (const id of r.evicted) evicted.add(id);
    return r;
  };
  let peak = 0;
  const round = async () => {
    inRound = true;
    const t = process.cpuUsage();
    const r = await sync.syncOnce();
    syncCpu += cpuMs(t);
    inRound = false;
    peak = Math.max(peak, device.outbox.stats().bytes);
    return r;
  };
  await round(); // enrol while online
  linkDown = true;

  // REAL frames: the full pipeline; the first episode (start … end) is recorded for replay.
  const set = await readFashionMnist();
  const { frames } = scenarioStream(set, { scenario: 'held-out-classes', frames: REAL_FRAMES, seed: 1, episodes: [{ start: 300, end: 600 }] }); // prettier-ignore
  const tape: { r: PipelineResult; frame: RawFrame }[] = [];
  const calm: PipelineResult[] = [];
  let recording = false;
  let framesDone = 0;
  for (const f of frames) {
    now += 1000;
    const frame: RawFrame = { data: f.pixels, width: f.width, height: f.height, channels: 1 };
    const enqueuedBefore = syncCpu;
    const t = process.cpuUsage();
    const r = await device.process(frame);
    frameCpu += cpuMs(t) - (syncCpu - enqueuedBefore);
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
  let episodes = 1;
  for (let s = framesDone; s < totalFrames; s += SYNC_S) {
    now += SYNC_S * 1000;
    for (let i = 0; i < SYNC_S; i++) device.telemetry.observe(calm[(s + i) % calm.length]!);
    if (s >= nextEpisode) {
      for (const { r, frame } of tape) await device.drift.observe(r, frame, device.episodes.observe(r.driftEvents));
      nextEpisode += EPISODE_EVERY_S;
      episodes++;
    }
    await round();
  }
  const offlineSyncCpu = syncCpu;
  const belowBudget = device.outbox.pending().map((e) => e.packageId);
  const stats = device.outbox.stats();

  // Reconnect: rounds until the outbox is empty; the clock jumps past any backoff.
  linkDown = false;
  for (let i = 0; i < 10_000 && device.outbox.stats().packages > 0; i++) {
    now += 6 * 60_000;
    await round();
  }
  const got = await receiver.stats();
  const stored = new Set(got.stored);
  const lost = belowBudget.filter((id) => !stored.has(id) && !evicted.has(id)).length;
  const evictedAfterReconnect = belowBudget.filter((id) => evicted.has(id)).length;
  const duplicated = got.puts.length - new Set(got.puts).size;
  const result = {
    offlineDays: DAYS,
    framesPerSecond: 1,
    outboxPeakBytes: peak,
    budgetBytes: BUDGET,
    lostBelowBudget: lost,
    duplicated,
    syncCpuShare: Number((syncCpu / ((frameCpu / framesDone) * totalFrames)).toFixed(5)),
  };
  const detail = { realFrames: framesDone, frameCpuMs: frameCpu / framesDone, syncCpuMs: syncCpu, offlineSyncCpuMs: offlineSyncCpu, rounds: Math.ceil(totalFrames / SYNC_S), episodes, packagesAtReconnect: belowBudget.length, delivered: stored.size, dropped: stats.dropped, evictedAfterReconnect, leftInOutbox: device.outbox.stats().packages }; // prettier-ignore
  await device.close();
  receiver.stop();
  await rm(dir, { recursive: true, force: true });
  return { result, detail };
}

const { result, detail } = await main();
console.log(`offline ${result.offlineDays} days at 1 frame/s: ${detail.episodes} drift episodes, ${detail.packagesAtReconnect} packages in the outbox at reconnection (peak ${(result.outboxPeakBytes / 2 ** 20).toFixed(2)} MiB of ${(result.budgetBytes / 2 ** 20).toFixed(0)} MiB), dropped ${detail.dropped.packages} (${JSON.stringify(detail.dropped.byType)})`); // prettier-ignore
console.log(`after reconnection: ${detail.delivered} delivered, ${detail.evictedAfterReconnect} evicted by the budget before their turn, ${result.lostBelowBudget} lost below budget, ${result.duplicated} duplicated, ${detail.leftInOutbox} left`); // prettier-ignore
console.log(`CPU: ${detail.frameCpuMs.toFixed(2)} ms per frame (${detail.realFrames} real frames), sync ${detail.syncCpuMs.toFixed(0)} ms in total (${detail.offlineSyncCpuMs.toFixed(0)} ms in ${detail.rounds} offline rounds, the rest uploading) → ${(100 * result.syncCpuShare).toFixed(3)} % of frame CPU`); // prettier-ignore
if (process.argv.includes('--record')) {
  const machine = `${os.cpus().length}× ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${os.arch()}, Node ${process.versions.node}`;
  const row = `| ${new Date().toISOString().slice(0, 10)} | eval:offline | ${machine} | ${result.offlineDays} d @ 1 fps, ${detail.realFrames} real frames | peak ${result.outboxPeakBytes} / ${result.budgetBytes} B, dropped ${detail.dropped.packages}, lost ${result.lostBelowBudget}, duplicated ${result.duplicated}, sync CPU ${(100 * result.syncCpuShare).toFixed(3)} % (frame ${detail.frameCpuMs.toFixed(2)} ms) |\n`; // prettier-ignore
  appendBenchmarks(row);
}
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
