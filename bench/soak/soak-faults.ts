/**
 * The faults `npm run soak` inflicts on a running fleet, one after another: process kills and
 * outages, and uploads that are cut off mid-body or stall.
 */
import { partialUpload } from '../../apps/tinysphere/src/testing/partial-upload.js';
import { sleep, type Restartable, type SoakServices } from './soak-services.js';

/** Flaky Wi-Fi: half of a 3 MiB package body, then the connection drops (or stalls). */
const CUT = { total: 3 * 1024 * 1024, sent: 1536 * 1024 };

/** Counts faults by kind. */
export type FaultCounter = (kind: string, n?: number) => void;

/** How the faults are spaced and how many uploads are broken; `log` narrates. */
export interface FaultPlan {
  spacingMs: number;
  aborts: number;
  log: (msg: string) => void;
}

/**
 * SIGKILLs the API and starts it again 3 s later; the fleet then reconnects all at once.
 * @example
 * await killApi(services, count, plan);
 */
export async function killApi(s: SoakServices, count: FaultCounter, p: FaultPlan): Promise<void> {
  await killAndRestart(s.api, 'API', () => count('apiKilled'), p);
}

/** SIGKILL, 3 s down, started again (and ready); then the plan's spacing. */
async function killAndRestart(proc: Restartable, name: string, counted: () => void, p: FaultPlan): Promise<void> {
  p.log(`fault: SIGKILL the ${name} process, start it again 3 s later`);
  await proc.kill();
  await sleep(3000);
  await proc.start();
  counted();
  await sleep(p.spacingMs);
}

/**
 * One round of faults the API lives through: SIGKILL of the worker, PostgreSQL stopped as by a
 * crash, S3 away for 20 s, then uploads dropped mid-body (half chunked) and some that stall.
 * @example
 * await faultRound(services, flakyToken, count, plan);
 */
export async function faultRound(s: SoakServices, token: string, count: FaultCounter, p: FaultPlan): Promise<void> {
  await killAndRestart(s.worker, 'worker', () => count('workerKilled'), p);
  p.log('fault: PostgreSQL stopped as by a crash, down 5 s, started again');
  await s.pg.restart!({ downMs: 5000 });
  count('postgresRestarted');
  await sleep(p.spacingMs);
  p.log('fault: S3 (s3rver) away for 20 s');
  await s.s3.kill();
  await sleep(20_000);
  await s.s3.start();
  count('s3Outage');
  await sleep(p.spacingMs);
  await abortUploads(s, token, count, p);
}

async function abortUploads(s: SoakServices, token: string, count: FaultCounter, p: FaultPlan): Promise<void> {
  const n = p.aborts;
  const stalls = Math.ceil(n / 20);
  p.log(`fault: ${n} uploads dropped mid-body (half chunked) and ${stalls} stalled ones`);
  const id = Date.now().toString(36);
  for (let i = 0; i < n; i += 10)
    await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, (_, k) =>
        partialUpload({ url: s.apiUrl }, token, `pkg_soak_abort_${id}_${i + k}`, {
          ...CUT,
          chunked: (i + k) % 2 === 1,
        }),
      ),
    );
  await Promise.all(
    Array.from({ length: stalls }, (_, k) =>
      partialUpload({ url: s.apiUrl }, token, `pkg_soak_stall_${id}_${k}`, { ...CUT, stall: true }),
    ),
  );
  count('uploadsAborted', n);
  count('uploadsStalled', stalls);
}
