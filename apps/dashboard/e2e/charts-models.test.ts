import type { Page, Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../tinysphere/src/testing/database-engines.js';
import type { TestServer } from '../../tinysphere/src/testing/test-server.js';
import { browserTestsEnabled } from './browser.js';
import { seededDashboard, seedFleetWithModel } from './seeded-dashboard.js';
import type { SeededDevice } from './seed-fleet.js';
import { buildBundle } from './seed-model.js';

const HOUR = 3_600_000;

describe.skipIf(!browserTestsEnabled()).each(databaseEngines())(
  'time ranges, charts and the models page in a real browser on $name',
  (engine) => {
    let s: TestServer;
    let page: Page;
    let errors: string[];
    let fleet: SeededDevice[];
    const device = (i: number) => fleet[i] as SeededDevice;
    const requestTo = (path: string) => page.waitForRequest((r: Request) => new URL(r.url()).pathname === path);

    const d = seededDashboard(engine, seedFleetWithModel);
    beforeAll(() => void ({ s, page, errors, seeded: fleet } = d));
    const shot = (name: string) => d.shot(name);
    const range = (label: string) =>
      page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: label });

    it('changes the drift query with the time range; shows drift per device and the fleet by model', async () => {
      await page.goto(`${s.url}/`);
      await page.getByRole('img', { name: 'Drift episodes per hour' }).locator('canvas').waitFor();
      const asked = [requestTo('/api/v1/overview'), requestTo('/api/v1/drift/rates')];
      await range('30 d').click();
      for (const request of await Promise.all(asked)) {
        const q = new URL(request.url()).searchParams;
        expect(q.get('bucketSeconds')).toBe('14400');
        expect(Date.now() - Date.parse(q.get('since') ?? '')).toBeGreaterThan(29 * 24 * HOUR);
      }
      await page.getByText('Drift rate · episodes started per 4 hours, last 30 d').waitFor();
      expect(new URL(page.url()).searchParams.get('range')).toBe('30d');
      const perDevice = page.getByRole('table', { name: 'Drift rate per device' });
      await perDevice.getByRole('link', { name: 'shelf-camera-1' }).waitFor();
      await perDevice.getByRole('link', { name: 'shelf-camera-2' }).waitFor();
      const byModel = page.getByRole('list', { name: 'Devices per model version' });
      expect((await byModel.getByRole('listitem').allTextContents()).sort()).toEqual([
        'fashion-mnv2@1.0.02',
        'no model reported1',
      ]);
      await shot('14-overview-30d');
      expect(errors).toEqual([]);
    });

    it("draws a device's charts over the chosen range, with the drift level, restart gaps and live legends", async () => {
      await page.goto(`${s.url}/devices/${device(0).deviceId}`);
      const knn = page.getByRole('img', { name: 'KNN distance' });
      await knn.locator('canvas').waitFor();
      await page.getByText('Dashed: drift level 4.20').waitFor();
      await page.getByText('1 gap (restart or outage) drawn as breaks in the lines.').waitFor();
      // Without a hover the legend shows the newest values, not "--".
      const values = knn.locator('.u-legend .u-value');
      await expect.poll(() => values.nth(1).textContent()).toMatch(/^\d+(\.\d+)?$/);
      const newest = await values.nth(0).textContent();
      const box = (await knn.locator('canvas').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await expect.poll(() => values.nth(0).textContent()).not.toBe(newest);
      expect(await values.nth(1).textContent()).toMatch(/^\d+(\.\d+)?$/);
      await shot('15-device-charts');
      const asked = requestTo(`/api/v1/devices/${device(0).deviceId}/timeline`);
      await range('1 h').click();
      const since = Date.parse(new URL((await asked).url()).searchParams.get('since') ?? '');
      expect(Date.now() - since).toBeLessThan(1.1 * HOUR);
      // The restart was 80–90 minutes ago: outside the last hour.
      await page.getByText('gap (restart or outage)').waitFor({ state: 'detached' });
      expect(errors).toEqual([]);
    });

    it('uploads a bundle from the page, and refuses a file that is not one', async () => {
      await page.goto(`${s.url}/models`);
      const upload = page.getByRole('region', { name: 'Upload a bundle' });
      await upload.getByLabel('Bundle file (.tar.gz)').setInputFiles({
        name: 'upload-model-2.0.0.tar.gz',
        mimeType: 'application/gzip',
        buffer: await buildBundle('upload-model', '2.0.0'),
      });
      await upload.getByRole('button', { name: 'Upload' }).click();
      await upload.getByText('Registered upload-model@2.0.0').waitFor();
      await page.waitForURL(/\/models\/upload-model$/);
      await page.getByRole('table', { name: 'Model versions' }).getByText('2.0.0').waitFor();
      await upload.getByLabel('Bundle file (.tar.gz)').setInputFiles({
        name: 'notes.tar.gz',
        mimeType: 'application/gzip',
        buffer: Buffer.from('not a bundle'),
      });
      await upload.getByRole('button', { name: 'Upload' }).click();
      await upload.getByText('Upload refused:').waitFor();
      expect(errors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
      errors.length = 0;
    });

    it('warns before deploying to a target no device matches; lists and removes rules; shows every device', async () => {
      await page.goto(`${s.url}/models/fashion-mnv2`);
      await page.getByLabel('Target kind').selectOption('group');
      await page.getByLabel('Group').fill('berlni');
      await page.getByText('No device matches group “berlni”').waitFor();
      page.once('dialog', (d) => void d.dismiss());
      await page.getByRole('button', { name: 'Deploy' }).click();
      const rules = async () => {
        const r = await s.call('GET', '/api/v1/deployments/rules', { token: s.viewerToken });
        return ((await r.json()) as { items: unknown[] }).items;
      };
      expect(await rules()).toEqual([]);
      await page.getByLabel('Target kind').selectOption('tag');
      await page.getByLabel('Tag').fill('shelf');
      await page.getByText('Reaches 2 devices: shelf-camera-1, shelf-camera-2.').waitFor();
      await page.getByRole('button', { name: 'Deploy' }).click();
      await page.getByText('Assigned fashion-mnv2@1.0.0 to tag shelf').waitFor();
      const table = page.getByRole('table', { name: 'Assignment rules' });
      await table
        .getByRole('row', { name: /tag shelf/ })
        .getByText('2 devices')
        .waitFor();
      const rollout = page.getByRole('table', { name: 'Rollout status' });
      await rollout
        .getByRole('row', { name: /door-camera-3/ })
        .getByText('unassigned')
        .first()
        .waitFor();
      expect(await rollout.getByRole('row').count()).toBe(4);
      await shot('16-models-rules');
      page.once('dialog', (d) => void d.accept());
      await table.getByRole('button', { name: 'Remove rule tag shelf' }).click();
      await page.getByText('No assignment rules').waitFor();
      expect(await rules()).toEqual([]);
      expect(errors).toEqual([]);
    });
  },
);
