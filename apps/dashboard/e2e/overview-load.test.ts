import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

    it('asks for its data and the session once, before the app has started, for the range in the URL', async () => {
      const asked: string[] = [];
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (url.pathname.startsWith('/api/')) asked.push(url.pathname + url.search);
      });
      // The Overview's answer is held back until the app has rendered its frame: had the app sent
      // its own request instead of taking over the early one, there would be two.
      let release = () => {};
      const held = new Promise<void>((r) => (release = r));
      await page.route('**/api/v1/overview?*', async (route: Route) => (await held, route.continue()));
      await page.goto(`${s.url}/?range=30d`);
      await page.getByText('Live fleet status').waitFor();
      // The session was asked for by the entry script too, beside the Overview, and taken over.
      await page.getByText('Signed in as').waitFor();
      expect(asked.filter((p) => p.startsWith('/api/v1/session'))).toEqual(['/api/v1/session']);
      const overview = asked.filter((p) => p.startsWith('/api/v1/overview'));
      expect(overview).toHaveLength(1);
      expect(asked.slice(0, 2)).toEqual([overview[0], '/api/v1/session']);
      expect(new URLSearchParams(overview[0]!.split('?')[1]).get('bucketSeconds')).toBe('14400');
      release();
      await page.getByRole('img', { name: 'Drift episodes per 4 hours' }).locator('canvas').waitFor();
      expect(asked.filter((p) => p.startsWith('/api/v1/overview'))).toHaveLength(1);
      // The per-device table asks the server for the ten devices with the most episodes.
      const rates = () => asked.find((p) => p.startsWith('/api/v1/drift/rates')) ?? '';
      await expect.poll(() => new URLSearchParams(rates().split('?')[1]).get('top')).toBe('10');
      await page.getByRole('table', { name: 'Drift rate per device' }).getByRole('link').first().waitFor();
      await page.unroute('**/api/v1/overview?*');
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
