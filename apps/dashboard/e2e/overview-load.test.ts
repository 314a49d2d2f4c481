import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { databaseEngines } from '../../tinysphere/src/testing/database-engines.js';
import { startTestServer, type TestServer } from '../../tinysphere/src/testing/test-server.js';
import { browserTestsEnabled, signedInPage } from './browser.js';
import { seedFleet } from './seed-fleet.js';

describe.skipIf(!browserTestsEnabled()).each(databaseEngines())(
  'the Overview loading in a real browser on $name',
  (engine) => {
    let s: TestServer;
    let browser: Browser;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      s = await startTestServer(engine);
      await seedFleet(s);
      ({ browser, page, errors } = await signedInPage(s.url, s.viewerToken));
    });
    afterAll(async () => {
      await browser?.close();
      await s?.stop();
    });

    /**
     * API requests of the document opened at `opened` from now on, with the script that started each
     * (the page URL: the inline script). A request the previous document still had in flight is
     * left out: it is not this load's.
     */
    async function watchApiRequests(opened: string) {
      const asked: { path: string; by: string }[] = [];
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      cdp.on('Network.requestWillBeSent', (e) => {
        const url = new URL(e.request.url);
        const by = e.initiator.stack?.callFrames[0]?.url ?? e.initiator.type;
        const api = url.pathname.startsWith('/api/');
        if (api && e.documentURL === opened) asked.push({ path: url.pathname + url.search, by });
      });
      const paths = (prefix: string) => asked.filter((a) => a.path.startsWith(prefix));
      return { asked, paths, stop: () => cdp.detach() };
    }

    it('asks for its data and the session once, from the inline script, for the range in the URL', async () => {
      const watch = await watchApiRequests(`${s.url}/?range=30d`);
      // The Overview's answer is held back until the app has rendered its frame: had the app sent
      // its own request instead of taking over the early one, there would be two.
      let release = () => {};
      const held = new Promise<void>((r) => (release = r));
      await page.route('**/api/v1/overview?*', async (route: Route) => (await held, route.continue()));
      // Released whatever happens, so a failure here does not hold the next tests' Overview.
      onTestFinished(async () => (release(), page.unroute('**/api/v1/overview?*')));
      const doc = await page.goto(`${s.url}/?range=30d`);
      await page.getByText('Live fleet status').waitFor();
      // The session was asked for by the inline script too, beside the Overview, and taken over.
      await page.getByText('Signed in as').waitFor();
      expect(watch.paths('/api/v1/session').map((a) => a.path)).toEqual(['/api/v1/session']);
      const overview = watch.paths('/api/v1/overview');
      expect(overview).toHaveLength(1);
      expect(watch.asked.slice(0, 2).map((a) => a.path)).toEqual([overview[0]?.path, '/api/v1/session']);
      // Both were started by index.html's inline script (its frames carry the document's URL),
      // not by the entry module; the CSP allows that one script by hash and nothing inline else.
      expect(watch.asked.slice(0, 2).map((a) => a.by)).toEqual([`${s.url}/?range=30d`, `${s.url}/?range=30d`]);
      const csp = doc?.headers()['content-security-policy'] ?? '';
      expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'(;|$)/);
      expect(csp).not.toMatch(/unsafe/);
      expect(new URLSearchParams(overview[0]!.path.split('?')[1]).get('bucketSeconds')).toBe('14400');
      release();
      await page.getByRole('img', { name: 'Drift episodes per 4 hours' }).locator('canvas').waitFor();
      expect(watch.paths('/api/v1/overview')).toHaveLength(1);
      // The per-device table asks the server for the ten devices with the most episodes.
      const rates = () => watch.paths('/api/v1/drift/rates')[0]?.path ?? '';
      await expect.poll(() => new URLSearchParams(rates().split('?')[1]).get('top')).toBe('10');
      await page.getByRole('table', { name: 'Drift rate per device' }).getByRole('link').first().waitFor();
      await watch.stop();
      expect(errors).toEqual([]); // a CSP violation would be a console error
    });

    it('opened on another page, asks early for the session only, never for the Overview', async () => {
      const watch = await watchApiRequests(`${s.url}/devices`);
      await page.goto(`${s.url}/devices`);
      await page.getByRole('heading', { name: 'Devices' }).waitFor();
      await page.getByText('Signed in as').waitFor();
      await page.getByText('shelf-camera-1').first().waitFor();
      expect(watch.paths('/api/v1/overview')).toEqual([]);
      expect(watch.paths('/api/v1/session')).toEqual([{ path: '/api/v1/session', by: `${s.url}/devices` }]);
      await watch.stop();
      expect(errors).toEqual([]);
    });

    it('loads another page on first visit, and the Overview again on return', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
      await page.getByRole('heading', { name: 'Devices' }).waitFor();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
      await page.getByRole('heading', { name: 'Recent events' }).waitFor();
      expect(errors).toEqual([]);
    });
  },
);
