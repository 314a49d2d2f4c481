/**
 * Where the Overview's load time goes, by phase: the same seeded server and warm visits as
 * `npm run bench:dashboard` (PGlite, PostgreSQL or both, in the order given), each visit traced through the DevTools protocol — request
 * timing (Resource Timing), when the fleet numbers and the chart appear (a MutationObserver in the
 * page), and a CPU profile attributed to the script that ran. For a loaded machine, where the
 * bench's single figure cannot tell start-up from server time.
 * `npx tsx bench/dashboard-trace.ts [--db pglite,postgres] [--no-settle] [--visits N] [--devices N]
 * [--samples N] [--profile-out FILE]`;
 * prints, and writes nothing else.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Page } from 'playwright-core';
import setupBuild from '../apps/dashboard/e2e/build-global-setup.js';
import { launchChromium } from '../apps/dashboard/e2e/browser.js';
import { startTestPostgres, type TestPostgres } from '../packages/testkit/src/index.js';
import { startTestServer } from '../apps/tinysphere/src/testing/test-server.js';
import { seedDashboardLoad } from './dashboard-seed.js';
import { clusterCpuSeconds, openPglite, openPostgres, settleAfterBulkLoad } from './dashboard-databases.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const DEVICES = arg('--devices', 1000);
const VISITS = arg('--visits', 5);
/** `--db pglite,postgres`: the databases to trace, in this order (default pglite). */
const DBS = process.argv.includes('--db') ? (process.argv[process.argv.indexOf('--db') + 1] ?? '') : 'pglite';
/** `--no-settle`: trace right after the bulk seed, without the bench's VACUUM ANALYZE + CHECKPOINT. */
const SETTLE = !process.argv.includes('--no-settle');
/** `--profile-out FILE`: the last visit's CPU profile (loads in DevTools' Performance panel). */
const PROFILE_OUT = process.argv.includes('--profile-out')
  ? (process.argv[process.argv.indexOf('--profile-out') + 1] ?? '')
  : '';

/** Marks, in the page, the first moment each thing the bench waits for is on screen. */
const MARKS = `(() => {
  const seen = {};
  const check = () => {
    const t = performance.now();
    const text = document.body ? document.body.textContent || '' : '';
    if (!seen.numbers && text.includes('/ ${DEVICES} online')) seen.numbers = t;
    if (!seen.chart && document.querySelector('[aria-label^="Drift episodes per"] canvas')) seen.chart = t;
    if (!seen.events && text.includes('Recent events')) seen.events = t;
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  window.__marks = seen;
})()`;

/** Request and paint times of the visit, ms since navigation (a string: tsx would rename functions). */
const PHASES = `(() => {
  const res = performance.getEntriesByType('resource');
  const api = (p) => res.find((r) => r.name.includes(p));
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    html: nav.responseEnd,
    assetsLoaded: Math.max(...res.filter((r) => /\\.(js|css)$/.test(r.name)).map((r) => r.responseEnd)),
    overviewAsked: api('/api/v1/overview')?.startTime,
    overviewAnswered: api('/api/v1/overview')?.responseEnd,
    sessionAsked: api('/api/v1/session')?.startTime,
    sessionAnswered: api('/api/v1/session')?.responseEnd,
    ratesAsked: api('/api/v1/drift/rates')?.startTime,
    ...window.__marks,
    requests: res
      .map((r) => [r.name.split('/').pop().slice(0, 24), r.startTime, r.responseEnd, r.transferSize])
      .map(([name, ...xs]) => [name, ...xs.map(Math.round)].join(' '))
      .join('; '),
  };
})()`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const fileOf = (f: ProfileNode['callFrame'] | undefined) =>
  f?.url ? (f.url.split('/').pop() ?? f.url) : `(${f?.functionName || 'native'})`;

const top = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${v.toFixed(1).padStart(7)} ms  ${k}`);

/**
 * CPU time (ms) per script file and per top function, and a timeline: per 100 ms window from the
 * entry script's first sample on, the scripts that ran (idle left out).
 */
function attribute(p: Profile) {
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const byScript = new Map<string, number>();
  const byFn = new Map<string, number>();
  const windows: Map<string, number>[] = [];
  let t = 0;
  let entryAt = -1;
  p.samples.forEach((id, i) => {
    t += (p.timeDeltas[i] ?? 0) / 1000;
    const f = byId.get(id);
    const ms = (p.timeDeltas[i + 1] ?? 0) / 1000;
    const file = fileOf(f);
    byScript.set(file, (byScript.get(file) ?? 0) + ms);
    const fn = `${f?.functionName || '(anonymous)'} ${file}:${f?.lineNumber ?? 0}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
    if (entryAt < 0 && /^index-.*\.js$/.test(file)) entryAt = t;
    if (entryAt < 0 || file === '(idle)') return;
    const w = (windows[Math.floor((t - entryAt) / 100)] ??= new Map());
    w.set(file, (w.get(file) ?? 0) + ms);
  });
  const timeline = windows.map(
    (w, i) =>
      `  +${i * 100} ms: ${top(w, 4)
        .map((x) => x.trim().replace(/ +/g, ' '))
        .join(', ')}`,
  );
  return { scripts: top(byScript, 12), functions: top(byFn, 20), timeline };
}

async function tracedVisit(page: Page, url: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.goto(url);
  await page.getByRole('region', { name: 'Fleet health' }).getByText(`/ ${DEVICES} online`).waitFor();
  await page.getByRole('img', { name: 'Drift episodes per hour' }).locator('canvas').waitFor();
  await page.getByRole('heading', { name: 'Recent events' }).waitFor();
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  const { requests, ...phases } = (await page.evaluate(PHASES)) as Record<string, number | undefined>;
  if (PROFILE_OUT) writeFileSync(PROFILE_OUT, JSON.stringify(profile));
  await cdp.detach();
  return { phases, requests: String(requests), cpu: attribute(profile) };
}

/** Seeds one server on `db`, then traces warm visits; PostgreSQL visits also report its cluster's CPU. */
async function traceOn(db: 'pglite' | 'postgres', pg: TestPostgres | null) {
  if (db === 'postgres' && !pg) throw new Error('--db postgres: no PostgreSQL binaries found (initdb, pg_ctl)');
  const open = db === 'pglite' ? openPglite : () => openPostgres(pg?.url ?? '');
  const s = await startTestServer({ name: db, open }, { workers: 0 });
  const port = pg ? Number(new URL(pg.url).port) : NaN;
  const browser = await launchChromium();
  try {
    await seedDashboardLoad(s.db.db, DEVICES, arg('--samples', 100_000));
    if (SETTLE) await settleAfterBulkLoad(s.db.db, db);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript({
      content: `sessionStorage.setItem('tinysphere.apiToken', ${JSON.stringify(s.viewerToken)})`,
    });
    await context.addInitScript({ content: MARKS });
    const load = os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ');
    console.log(`\n=== ${db}${SETTLE ? ', settled after the seed' : ''}: load average ${load} (1 / 5 / 15 min)`);
    for (let i = 0; i <= VISITS; i++) {
      const page = await context.newPage();
      const cpu0 = db === 'postgres' ? clusterCpuSeconds(port) : NaN;
      const t = await tracedVisit(page, `${s.url}/`);
      const clusterMs = (clusterCpuSeconds(port) - cpu0) * 1000;
      await page.close();
      if (i === 0) continue; // the first visit fills the HTTP cache, as in the bench
      const row = Object.entries(t.phases).map(([k, v]) => `${k} ${v === undefined ? '–' : Math.round(v)}`);
      if (db === 'postgres') row.push(`cluster CPU ${Math.round(clusterMs)}`);
      console.log(`\nvisit ${i} (ms since navigation): ${row.join(', ')}\n  requests (start end bytes): ${t.requests}`);
      if (i === VISITS)
        console.log(
          `CPU by script:\n${t.cpu.scripts.join('\n')}\nCPU by function:\n${t.cpu.functions.join('\n')}\nCPU after the entry script started:\n${t.cpu.timeline.join('\n')}`,
        );
    }
  } finally {
    await browser.close();
    await s.stop();
  }
}

await setupBuild();
const order = DBS.split(',').map((d) => (d === 'postgres' ? 'postgres' : 'pglite'));
const pg = order.includes('postgres') ? await startTestPostgres() : null;
try {
  for (const db of order) await traceOn(db, pg);
} finally {
  await pg?.stop();
}
