/**
 * What `bench/offline-eval.ts` prints and records: the result (`--json`), a summary for people and
 * the row of docs/benchmarks.md (`--record`), with the machine and its load at the start.
 */
import os from 'node:os';

/** The figures the goals are about. */
export interface OfflineEvalResult {
  offlineDays: number;
  framesPerSecond: number;
  outboxPeakBytes: number;
  budgetBytes: number;
  lostBelowBudget: number;
  duplicated: number;
  syncCpuShare: number;
}

/** How the run got there. */
export interface OfflineEvalDetail {
  realFrames: number;
  frameCpuMs: number;
  syncCpuMs: number;
  offlineSyncCpuMs: number;
  rounds: number;
  episodes: number;
  packagesAtReconnect: number;
  delivered: number;
  dropped: { packages: number; byType: object };
  evictedAfterReconnect: number;
  leftInOutbox: number;
  /** 1-minute load average when the run started. */
  loadAtStart: number;
}

const mib = (bytes: number, digits: number) => (bytes / 2 ** 20).toFixed(digits);
const percent = (share: number) => `${(100 * share).toFixed(3)} %`;

/** The summary lines for people. */
export function summaryLines(r: OfflineEvalResult, d: OfflineEvalDetail): string[] {
  const outbox = [
    `${d.packagesAtReconnect} packages in the outbox at reconnection`,
    `(peak ${mib(r.outboxPeakBytes, 2)} MiB of ${mib(r.budgetBytes, 0)} MiB),`,
    `dropped ${d.dropped.packages} (${JSON.stringify(d.dropped.byType)})`,
  ];
  const delivery = [
    `${d.delivered} delivered,`,
    `${d.evictedAfterReconnect} evicted by the budget before their turn,`,
    `${r.lostBelowBudget} lost below budget, ${r.duplicated} duplicated, ${d.leftInOutbox} left`,
  ];
  const cpu = [
    `${d.frameCpuMs.toFixed(2)} ms per frame (${d.realFrames} real frames),`,
    `sync ${d.syncCpuMs.toFixed(0)} ms in total`,
    `(${d.offlineSyncCpuMs.toFixed(0)} ms in ${d.rounds} offline rounds, the rest uploading)`,
    `→ ${percent(r.syncCpuShare)} of frame CPU; load average at start ${d.loadAtStart.toFixed(1)}`,
  ];
  return [
    `offline ${r.offlineDays} days at 1 frame/s: ${d.episodes} drift episodes, ${outbox.join(' ')}`,
    `after reconnection: ${delivery.join(' ')}`,
    `CPU: ${cpu.join(' ')}`,
  ];
}

/** The row of the `eval:offline` table in docs/benchmarks.md. */
export function benchmarkRow(r: OfflineEvalResult, d: OfflineEvalDetail): string {
  const cpus = os.cpus();
  const machine = [
    `${cpus.length}× ${cpus[0]?.model.trim() ?? 'cpu'}, ${os.arch()}`,
    `Node ${process.versions.node}, load ${d.loadAtStart.toFixed(1)}`,
  ].join(', ');
  const what = `${r.offlineDays} d @ 1 fps, ${d.realFrames} real frames`;
  const outcome = [
    `peak ${r.outboxPeakBytes} / ${r.budgetBytes} B, dropped ${d.dropped.packages}, lost ${r.lostBelowBudget},`,
    `duplicated ${r.duplicated}, sync CPU ${percent(r.syncCpuShare)} (frame ${d.frameCpuMs.toFixed(2)} ms)`,
  ].join(' ');
  return `| ${new Date().toISOString().slice(0, 10)} | eval:offline | ${machine} | ${what} | ${outcome} |\n`;
}
