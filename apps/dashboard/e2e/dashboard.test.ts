import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../tinysphere/src/testing/database-engines.js';
import { startTestServer, type TestServer } from '../../tinysphere/src/testing/test-server.js';
import { browserTestsEnabled, launchChromium, screenshot, watchConsole } from './browser.js';
import { seedFleet, type SeededDevice } from './seed-fleet.js';
import { seedModel } from './seed-model.js';

describe.skipIf(!browserTestsEnabled()).each(databaseEngines())(
  'dashboard in a real browser against a seeded TinySphere on $name',
  (engine) => {
    let s: TestServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let errors: string[];
    let fleet: SeededDevice[];
    const device = (i: number) => fleet[i] as SeededDevice;

    beforeAll(async () => {
      s = await startTestServer(engine);
      fleet = await seedFleet(s);
      await seedModel(s, 'fashion-mnv2', ['1.0.0', '1.1.0']);
      browser = await launchChromium();
      context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      page = await context.newPage();
      page.setDefaultTimeout(20_000);
      errors = watchConsole(page);
    });
    afterAll(async () => {
      await browser?.close();
      await s?.stop();
    });

    const login = async (token: string) => {
      await page.goto(`${s.url}/login`);
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
    };
    // PGlite's screenshots are the ones docs/dashboard.md shows; other engines' get a prefix.
    const shot = (name: string) => screenshot(page, engine.name === 'pglite' ? name : `${engine.name}-${name}`);
    const nav = (name: string) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
    const signOut = () => page.getByRole('button', { name: 'Sign out' }).click();

    it('asks for a token first, and a viewer sees validate and deploy disabled with the reason', async () => {
      // Every page below runs under the server's CSP: a violation is a console error, which fails the test.
      const first = await page.goto(`${s.url}/devices`);
      // Scripts from the origin, and of inline ones only index.html's early requests, by hash.
      const csp = first?.headers()['content-security-policy'];
      expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*';/);
      expect(csp).not.toMatch(/unsafe/);
      await page.getByLabel('API token').waitFor();
      expect(new URL(page.url()).pathname).toBe('/login');
      await shot('01-login');
      await login(s.viewerToken);
      expect(await page.getByText('role: viewer').count()).toBe(1);
      await page.goto(`${s.url}/drift/${device(0).deviceId}/ep_pizero0001`);
      await page.getByText('Your token has the viewer role').first().waitFor();
      expect(await page.getByRole('button', { name: 'False alarm' }).isDisabled()).toBe(true);
      await page.goto(`${s.url}/models`);
      await page.getByRole('button', { name: 'Deploy' }).waitFor();
      expect(await page.getByRole('button', { name: 'Deploy' }).isDisabled()).toBe(true);
      await signOut();
      await page.getByLabel('API token').waitFor();
      expect(errors).toEqual([]);
    });

    it('shows the overview with fleet health, drift awaiting validation, ingestion and events', async () => {
      await login(s.adminToken);
      await nav('Overview').click();
      const health = page.getByRole('region', { name: 'Fleet health' });
      await health.getByText('/ 3 online').waitFor();
      expect(await health.textContent()).toContain('1 offline');
      const awaiting = page.getByRole('region', { name: 'Awaiting validation' });
      expect(await awaiting.textContent()).toMatch(/^Awaiting validation2/);
      await page.getByRole('img', { name: 'Drift episodes per hour' }).locator('canvas').waitFor();
      await page.getByText('drift started').first().waitFor();
      await shot('02-overview');
      expect(errors).toEqual([]);
    });

    it('lists, searches and sorts devices, and shows a device with its charts', async () => {
      await nav('Devices').click();
      const table = page.getByRole('table', { name: 'Devices' });
      await table.getByText('shelf-camera-1').waitFor();
      expect(await table.getByRole('row').count()).toBe(4);
      await page.getByRole('button', { name: 'Sort by Name' }).click();
      await expect
        .poll(async () => (await table.getByRole('row').nth(1).textContent()) ?? '')
        .toContain('shelf-camera-2');
      await shot('03-devices');
      await page.getByLabel('Search').fill('door');
      await expect.poll(() => table.getByRole('row').count()).toBe(2);
      await page.getByLabel('Search').fill('');
      await table.getByText('shelf-camera-1').click();
      await page.getByRole('heading', { name: 'shelf-camera-1' }).waitFor();
      for (const chart of ['Inference latency', 'Prediction confidence', 'KNN distance', 'cpu_percent', 'rss_mb'])
        await page.getByRole('img', { name: chart }).locator('canvas').waitFor();
      await page.getByRole('region', { name: 'Outbox backlog' }).getByText('1 package').waitFor();
      const thumb = page.getByRole('region', { name: 'Recent predictions' }).locator('img.thumb').first();
      await thumb.waitFor();
      expect(await thumb.getAttribute('alt')).toMatch(/^Prediction \w+ at \d+% confidence$/);
      await expect
        .poll(() => thumb.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth))
        .toBe(28);
      await shot('04-device-detail');
      // Engineers (here an admin) set group, tags and place; the server has them at once.
      const edit = page.getByRole('region', { name: 'Name, group and tags' });
      await edit.getByLabel('Group').fill('lab');
      await edit.getByLabel('Place').fill('bench 2');
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.getByText('Saved.').waitFor();
      const id = new URL(page.url()).pathname.split('/').pop() ?? '';
      const saved = await (await s.call('GET', `/api/v1/devices/${id}`, { token: s.adminToken })).json();
      expect(saved).toMatchObject({ name: 'shelf-camera-1', group: 'lab', location: { description: 'bench 2' } });
      await page.getByText('lab ·').first().waitFor(); // the facts panel shows the new group
      expect(errors).toEqual([]);
    });

    it('validates drift samples with keyboard shortcuts and bulk selection; feedback is queued for the device', async () => {
      await nav('Drift').click();
      const episodes = page.getByRole('table', { name: 'Drift episodes' });
      await episodes.getByText(device(0).name).waitFor();
      await shot('05-drift');
      await episodes.getByText(device(0).name).click();
      await page.getByRole('heading', { name: 'Episode ep_pizero0001' }).waitFor();
      await page.getByRole('heading', { name: 'Nearest known neighbours' }).waitFor();
      await page.getByRole('img', { name: 'Example of pullover' }).waitFor();
      await page.keyboard.press('x');
      await page.keyboard.press('j');
      await page.keyboard.press('x');
      await page.getByRole('heading', { name: 'Validate 2 samples' }).waitFor();
      await page.keyboard.press('1');
      await page.getByText('2 validated; feedback queued for the device').waitFor();
      await page.keyboard.press('j');
      await page.keyboard.press('f');
      await page.getByText('1 validated; feedback queued for the device').waitFor();
      await shot('06-drift-episode');
      const feedback = await s.call('GET', '/device/v1/feedback?after=0', { token: device(0).deviceToken });
      const body = (await feedback.json()) as { items: { decision: string; sampleId: string }[] };
      expect(body.items.map((i) => i.decision)).toEqual(['label', 'label', 'false-alarm']);
      expect(body.items[0]?.sampleId).toBe('smp_ep_pizero0001_000');
      await page.getByRole('link', { name: 'all episodes' }).click();
      await page.getByRole('table', { name: 'Feedback delivery per device' }).getByText('3 queued').waitFor();
      expect(errors).toEqual([]);
    });

    it('shows the registry and deploys a version to a device; the device sees the assignment', async () => {
      await nav('Models').click();
      await page.getByRole('table', { name: 'Model versions' }).getByText('1.1.0').waitFor();
      await page.getByRole('table', { name: 'Bundle files' }).getByText('model.tflite').waitFor();
      await page.getByRole('table', { name: 'Model versions' }).getByText('1.1.0').click();
      await page.getByLabel('Alias').fill('canary');
      await page.getByRole('button', { name: 'Point canary at 1.1.0' }).click();
      await page.getByRole('table', { name: 'Model versions' }).getByText('canary').waitFor();
      await page.getByLabel('Version', { exact: true }).selectOption('v:1.1.0');
      await page.getByLabel('Device id').fill(device(1).deviceId);
      await page.getByRole('button', { name: 'Deploy' }).click();
      await page.getByText('Assigned fashion-mnv2@1.1.0 to device').waitFor();
      await page.getByRole('table', { name: 'Rollout status' }).getByText('pending install').waitFor();
      await shot('07-models');
      const a = await s.call('GET', '/device/v1/assignment', { token: device(1).deviceToken });
      expect(a.status).toBe(200);
      expect(await a.json()).toMatchObject({ modelId: 'fashion-mnv2', version: '1.1.0' });
      expect(errors).toEqual([]);
    });

    it('creates API and enrolment tokens in settings', async () => {
      await nav('Settings').click();
      // Pages load lazily: fill the form only once Settings is the page shown, not the one before.
      await page.getByRole('button', { name: 'Create API token' }).waitFor();
      await page.getByLabel('Name').fill('ci-robot');
      await page.getByLabel('Role').selectOption('engineer');
      await page.getByRole('button', { name: 'Create API token' }).click();
      const secret = await page.getByTestId('new-secret').textContent();
      expect(secret).toMatch(/^tap_/);
      const check = await s.call('GET', '/api/v1/session', { token: secret ?? '' });
      expect(await check.json()).toMatchObject({ name: 'ci-robot', role: 'engineer' });
      await page.getByRole('button', { name: 'Create enrolment token' }).click();
      await page.getByText('Enrolment token', { exact: true }).waitFor();
      await shot('08-settings');
      // Revoking: the browser asks first, then the token stops working at once.
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Revoke ci-robot' }).click();
      await page.getByRole('button', { name: 'Revoke ci-robot' }).waitFor({ state: 'detached' });
      expect((await s.call('GET', '/api/v1/session', { token: secret ?? '' })).status).toBe(401);
      // A stolen device: revoked on its page, refused at once.
      const stolen = await s.enrol('hw-e2e-stolen');
      await page.goto(`${s.url}/devices/${stolen.deviceId}`);
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Revoke credentials' }).click();
      await page.getByText('Credentials revoked at').waitFor();
      expect((await s.call('GET', '/device/v1/assignment', { token: stolen.deviceToken })).status).toBe(401);
      expect(errors).toEqual([]);
    });
  },
);
