/**
 * Two dashboard builds side by side: one seeded server (1,000 devices, 100,000 drift samples), one
 * browser context, warm Overview visits alternating between build A and build B (A B, B A, …), the
 * Overview's time marked in the page as `npm run bench:dashboard` marks it, and when the page asked
 * for `/api/v1/overview`. On a shared machine a change worth 100 ms drowns in the noise between
 * separate bench runs; alternating visits in one run see the same load.
 * Builds are directories made by `npx vite build --outDir DIR` in apps/dashboard. The served
 * apps/dashboard/dist becomes a symlink to A or B for each visit; an existing dist is moved aside and
 * put back. Prints, writes nothing else.
 * `npx tsx bench/dashboard-ab.ts --a DIR --b DIR [--db pglite|postgres] [--visits N]`
 */
import { existsSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { launchChromium } from '../apps/dashboard/e2e/browser.js';
import { startTestPostgres } from '../packages/testkit/src/index.js';
import { startTestServer, type TestServer } from '../apps/tinysphere/src/testing/test-server.js';
import { seedDashboardLoad } from './dashboard-seed.js';
import { openPglite, openPostgres, settleAfterBulkLoad } from './dashboard-databases.js';

const opt = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
if (process.argv.includes('--help') || !opt('--a') || !opt('--b')) {
  console.log('usage: npx tsx bench/dashboard-ab.ts --a DIR --b DIR [--db pglite|postgres] [--visits N]');
  process.exit(process.argv.includes('--help') ? 0 : 2);
}
const BUILDS = { A: path.resolve(opt('--a')!), B: path.resolve(opt('--b')!) };
for (const dir of Object.values(BUILDS))
  if (!existsSync(path.join(dir, 'index.html'))) throw new Error(`${dir} has no index.html: not a dashboard build`);
const DB = opt('--db') === 'postgres' ? 'postgres' : 'pglite';
const VISITS = Number(opt('--visits') ?? 9);
const DIST = fileURLToPath(new URL('../apps/dashboard/dist', import.meta.url));
const SAVED = `${DIST}.ab-saved`;

/** The first animation frame with fleet numbers, chart and events (as dashboard-load.ts marks it). */
const PROBE = `(() => {
  const ready = () => {
    const fleet = document.querySelector('[aria-label="Fleet health"]');
    const chart = document.querySelector('[role="img"][aria-label="Drift episodes per hour"] canvas');
    const events = [...document.querySelectorAll('h2')].some((h) => h.textContent === 'Recent events');
    return !!fleet && fleet.textContent.includes('/ 1000 online') && !!chart && events;
  };
  const tick = () => (ready() ? (window.__overviewReadyMs = performance.now()) : requestAnimationFrame(tick));
  requestAnimationFrame(tick);
})();`;
const ASKED = `performance.getEntriesByType('resource').find((x) => x.name.includes('/api/v1/overview'))?.startTime`;

function serve(dir: string) {
  rmSync(DIST, { force: true });
  symlinkSync(dir, DIST);
}

async function visit(context: BrowserContext, s: TestServer) {
  const page = await context.newPage();
  await page.goto(`${s.url}/`);
  const chart = page.getByRole('img', { name: 'Drift episodes per hour' }).locator('canvas');
  await chart.waitFor({ timeout: 60_000 });
  await page.getByRole('region', { name: 'Fleet health' }).getByText('/ 1000 online').waitFor({ timeout: 60_000 });
  // Evaluated, not waited for: a polled string predicate would need 'unsafe-eval' under the CSP.
  let readyMs: unknown;
  while (!(readyMs = await page.evaluate('window.__overviewReadyMs'))) await page.waitForTimeout(20);
  const asked = Number(await page.evaluate(ASKED));
  await page.close();
  return { readyMs: Number(readyMs), asked };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');

if (existsSync(DIST)) renameSync(DIST, SAVED);
const pg = DB === 'postgres' ? await startTestPostgres() : null;
if (DB === 'postgres' && !pg) throw new Error('--db postgres: no PostgreSQL binaries found (initdb, pg_ctl)');
const s = await startTestServer({ name: DB, open: pg ? () => openPostgres(pg.url) : openPglite }, { workers: 0 });
const browser = await launchChromium();
try {
  await seedDashboardLoad(s.db.db, 1000, 100_000);
  await settleAfterBulkLoad(s.db.db, DB);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript({
    content: `sessionStorage.setItem('tinysphere.apiToken', ${JSON.stringify(s.viewerToken)})`,
  });
  await context.addInitScript({ content: PROBE });
  console.log(`${DB}: load average ${load()} (1 / 5 / 15 min) at the start`);
  const seen = { A: [] as { readyMs: number; asked: number }[], B: [] as { readyMs: number; asked: number }[] };
  for (let i = 0; i < VISITS; i++) {
    for (const k of i % 2 ? (['B', 'A'] as const) : (['A', 'B'] as const)) {
      serve(BUILDS[k]);
      const v = await visit(context, s);
      if (i > 0) seen[k].push(v); // the first visit of each fills the HTTP cache
    }
  }
  for (const k of ['A', 'B'] as const) {
    const ms = seen[k].map((v) => Math.round(v.readyMs));
    // The ask comes from index.html's inline script, before any of the app's code: the Overview
    // time after it is the app's own part, without the browser's start-up noise before it.
    const after = seen[k].map((v) => Math.round(v.readyMs - v.asked));
    console.log(
      `${k} (${BUILDS[k]}): Overview ${ms.join(', ')} ms, median ${median(ms)}; ` +
        `/overview asked at median ${Math.round(median(seen[k].map((v) => v.asked)))} ms; ` +
        `ready after the ask ${after.join(', ')} ms, median ${median(after)}`,
    );
  }
  console.log(`load average ${load()} at the end`);
} finally {
  await browser.close();
  await s.stop();
  await pg?.stop();
  rmSync(DIST, { force: true });
  if (existsSync(SAVED)) renameSync(SAVED, DIST);
}
