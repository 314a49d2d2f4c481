/**
 * What the soak measures of the API process: descriptors and RSS from /proc, and the process's
 * own view of its memory from /metrics, so that a leak (JS heap in use grows) can be told from
 * memory V8 keeps after a peak.
 */
import { processFigures, sleep } from './soak-services.js';

export type Figures = ReturnType<typeof processFigures> & {
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
};
export const figuresText = (f: Figures) =>
  `${f.fds} fds (${f.fileFds} not sockets), ${f.rssMb} MB RSS (JS heap ${f.heapUsedMb} of ${f.heapTotalMb} MB, external ${f.externalMb} MB)`;

/**
 * One unlabelled metric of the API's /metrics (0 when absent).
 * @example
 * await apiMetric(apiUrl, 'tinysphere_uploads_refused_memory_total'); // 412
 */
export async function apiMetric(apiUrl: string, name: string): Promise<number> {
  const text = await fetch(`${apiUrl}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
}

/** The API's own view of its memory (prom-client's default metrics): tells a leak from a heap V8 keeps. */
async function heapFigures(apiUrl: string): Promise<Pick<Figures, 'heapUsedMb' | 'heapTotalMb' | 'externalMb'>> {
  const text = await fetch(`${apiUrl}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const mb = (name: string) =>
    Math.round(Number(new RegExp(`^${name}(?:{[^}]*})? (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 2 ** 20);
  return {
    heapUsedMb: mb('nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('nodejs_heap_size_total_bytes'),
    externalMb: mb('nodejs_external_memory_bytes'),
  };
}

/**
 * The API process's figures: medians of 7 samples a second apart (one reading of fds swings with
 * keep-alive sockets).
 * @example
 * const start = await figures(api.pid, apiUrl); // { fds, fileFds, rssMb, heapUsedMb, … }
 */
export async function figures(pid: number, apiUrl: string): Promise<Figures> {
  const samples: Figures[] = [];
  for (let i = 0; i < 7; i++) {
    samples.push({ ...processFigures(pid), ...(await heapFigures(apiUrl)) });
    await sleep(1000);
  }
  const mid = (k: keyof Figures) => samples.map((s) => s[k]).sort((a, b) => a - b)[3] ?? 0;
  const keys = Object.keys(samples[0]!) as (keyof Figures)[];
  return Object.fromEntries(keys.map((k) => [k, mid(k)])) as Figures;
}
