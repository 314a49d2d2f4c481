import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../tinysphere/src/testing/database-engines.js';
import type { TestServer } from '../../tinysphere/src/testing/test-server.js';
import { browserTestsEnabled } from './browser.js';
import { seededDashboard, seedFleetWithModel } from './seeded-dashboard.js';
import type { SeededDevice } from './seed-fleet.js';

type SampleState = { sample: { status: string; label: string | null } };

describe.skipIf(!browserTestsEnabled()).each(databaseEngines())(
  'names, the review queue, undo and live updates in a real browser on $name',
  (engine) => {
    let s: TestServer;
    let page: Page;
    let errors: string[];
    let fleet: SeededDevice[];
    const device = (i: number) => fleet[i] as SeededDevice;
    const sampleState = async (d: SeededDevice, sampleId: string) =>
      (
        (await (
          await s.call('GET', `/api/v1/drift/samples/${d.deviceId}/${sampleId}`, { token: s.viewerToken })
        ).json()) as SampleState
      ).sample;

    const d = seededDashboard(engine, seedFleetWithModel);
    beforeAll(() => void ({ s, page, errors, seeded: fleet } = d));
    const shot = (name: string) => d.shot(name);

    it('names devices in events, episodes and devices; shows pending counts, thumbnails and drifting now', async () => {
      await page.goto(`${s.url}/`);
      const events = page.getByRole('region', { name: 'Recent events' });
      await events.getByRole('link', { name: 'shelf-camera-1' }).first().waitFor();
      expect(await events.getByText(device(0).deviceId).count()).toBe(0);
      await page.goto(`${s.url}/drift`);
      const episodes = page.getByRole('table', { name: 'Drift episodes' });
      const first = episodes.getByRole('row').filter({ hasText: 'shelf-camera-1' });
      const second = episodes.getByRole('row').filter({ hasText: 'shelf-camera-2' });
      await first.getByText('6 / 6').waitFor();
      await second.getByText('2 / 4').waitFor();
      await first.getByRole('img', { name: 'Thumbnail of ep_pizero0001' }).waitFor();
      expect(await episodes.getByText(device(0).deviceId).count()).toBe(0);
      await shot('11-drift-names');
      await page.goto(`${s.url}/devices`);
      const table = page.getByRole('table', { name: 'Devices' });
      await table.getByRole('row').filter({ hasText: 'shelf-camera-1' }).getByText('drifting now').waitFor();
      expect(await table.getByText('drifting now').count()).toBe(1);
      expect(errors).toEqual([]);
    });

    it('queues pending samples across episodes oldest first, with counts and filters', async () => {
      await page.goto(`${s.url}/drift/queue`);
      await page.getByText('8 samples awaiting validation').waitFor();
      const cards = page.getByRole('list', { name: 'Review queue' }).locator('[data-sample-id]');
      await expect.poll(() => cards.count()).toBe(8);
      // shelf-camera-2's episode started an hour before shelf-camera-1's: its two pending samples lead.
      const order = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-sample-id')));
      expect(order.slice(0, 3)).toEqual(['smp_ep_pizero0002_002', 'smp_ep_pizero0002_003', 'smp_ep_pizero0001_000']);
      await cards.first().getByText('shelf-camera-2').waitFor();
      await page.getByRole('combobox', { name: 'Device', exact: true }).selectOption({ label: 'shelf-camera-1' });
      await page.getByText('6 samples awaiting validation').waitFor();
      expect(new URL(page.url()).searchParams.get('deviceId')).toBe(device(0).deviceId);
      await page.getByRole('combobox', { name: 'Device', exact: true }).selectOption('');
      await page.getByText('8 samples awaiting validation').waitFor();
      await shot('12-review-queue');
      expect(errors).toEqual([]);
    });

    it('keeps a class created in one episode for the next, and undo takes a label back on the server', async () => {
      await page.goto(`${s.url}/drift/${device(0).deviceId}/ep_pizero0001`);
      await page.locator('[data-sample-id="smp_ep_pizero0001_000"]').first().waitFor();
      // `n` focuses the new-class field only once it is enabled; typing before that goes to the page.
      const newClass = page.getByRole('combobox', { name: /New class/ });
      await expect.poll(() => newClass.isEnabled()).toBe(true);
      await page.keyboard.press('n');
      await expect.poll(() => newClass.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await page.keyboard.type('bag');
      await page.keyboard.press('Enter');
      await page.getByText('1 validated; feedback queued for the device').waitFor();
      expect(await sampleState(device(0), 'smp_ep_pizero0001_000')).toMatchObject({ status: 'labelled', label: 'bag' });
      await page.keyboard.press('u');
      await page.getByText('Undone: 1 sample back to how they were.').waitFor();
      expect(await sampleState(device(0), 'smp_ep_pizero0001_000')).toMatchObject({ status: 'pending', label: null });
      const inbox = await s.call('GET', '/device/v1/feedback?after=0', { token: device(0).deviceToken });
      expect(((await inbox.json()) as { items: unknown[] }).items).toEqual([]);
      await page.keyboard.press('n');
      await page.keyboard.type('bag');
      await page.keyboard.press('Enter');
      await page.getByText('1 validated; feedback queued for the device').waitFor();
      // Another episode: "bag" is a known class now, no retyping.
      await page.goto(`${s.url}/drift/${device(1).deviceId}/ep_pizero0002`);
      const bag = page.getByRole('region', { name: 'Validate selected samples' }).getByRole('button', { name: /bag$/ });
      await bag.waitFor();
      // Relabel a sample labelled "sneaker" before, then undo: the server has "sneaker" again.
      await page.locator('[data-sample-id="smp_ep_pizero0002_001"]').first().click();
      await bag.click();
      await page.getByText('1 validated; feedback queued for the device · as bag').waitFor();
      expect(await sampleState(device(1), 'smp_ep_pizero0002_001')).toMatchObject({ status: 'labelled', label: 'bag' });
      await page.getByRole('button', { name: 'Undo' }).click();
      await page.getByText('Undone: 1 sample back to how they were.').waitFor();
      expect(await sampleState(device(1), 'smp_ep_pizero0002_001')).toMatchObject({
        status: 'labelled',
        label: 'sneaker',
      });
      await shot('13-relabel-undo');
      expect(errors).toEqual([]);
    });

    it('updates an open page from a server-sent event, without a reload', async () => {
      await page.goto(`${s.url}/drift/queue`);
      const live = page.getByRole('status', { name: 'Live updates' });
      await live.getByText('live', { exact: true }).waitFor();
      await page.getByText('7 samples awaiting validation').waitFor();
      await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
      const before = Number(await live.getAttribute('data-live-events'));
      // Someone else validates a sample; polling is a minute while live, so only the event can do this.
      const r = await s.call('POST', `/api/v1/drift/samples/${device(1).deviceId}/smp_ep_pizero0002_002/validation`, {
        token: s.adminToken,
        json: { decision: 'false-alarm' },
      });
      expect(r.status).toBe(200);
      await page.getByText('6 samples awaiting validation').waitFor();
      expect(Number(await live.getAttribute('data-live-events'))).toBeGreaterThan(before);
      expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42);
      expect(errors).toEqual([]);
    });

    it('falls back to polling when the event stream is refused', async () => {
      await page.route('**/api/v1/live', (route) => route.fulfill({ status: 503, body: 'down' }));
      await page.reload();
      const live = page.getByRole('status', { name: 'Live updates' });
      await live.getByText('polling every 5 s').waitFor();
      await s.call('POST', `/api/v1/drift/samples/${device(1).deviceId}/smp_ep_pizero0002_003/validation`, {
        token: s.adminToken,
        json: { decision: 'false-alarm' },
      });
      await page.getByText('5 samples awaiting validation').waitFor();
      await page.unroute('**/api/v1/live');
      expect(errors.filter((e) => !e.includes('503'))).toEqual([]);
    });
  },
);
