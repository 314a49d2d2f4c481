import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../tinysphere/src/testing/database-engines.js';
import { ackV2, pullV2, type LoopDevice } from '../../tinysphere/src/testing/learning-loop.js';
import { startTestServer, type TestServer } from '../../tinysphere/src/testing/test-server.js';
import { browserTestsEnabled, screenshot, signedInPage } from './browser.js';
import { seedLearningLoop } from './seed-learning-loop.js';

describe.skipIf(!browserTestsEnabled()).each(databaseEngines())(
  'the learning loop in the dashboard, real browser, TinySphere on $name',
  (engine) => {
    let s: TestServer;
    let browser: Browser;
    let page: Page;
    let errors: string[];
    let assisted: LoopDevice;
    let autonomous: LoopDevice;

    beforeAll(async () => {
      s = await startTestServer(engine);
      ({ assisted, autonomous } = await seedLearningLoop(s));
      ({ browser, page, errors } = await signedInPage(s.url, s.engineerToken));
    });
    afterAll(async () => {
      await browser?.close();
      await s?.stop();
    });
    const shot = (name: string) => screenshot(page, engine.name === 'pglite' ? name : `${engine.name}-${name}`);

    it('shows per label what the device did with it: applied only when it applied it, with its reason', async () => {
      await page.goto(`${s.url}/drift/${assisted.deviceId}/ep_piloopassisted01`);
      const card = (i: number) => page.locator(`[data-sample-id="${assisted.samples[i]}"]`).first();
      await card(0).getByText('applied', { exact: true }).waitFor();
      await card(1).getByText('merged', { exact: true }).waitFor();
      const rejected = card(2).getByText('rejected', { exact: true });
      expect(await rejected.getAttribute('title')).toBe('features come from another model');
      expect(await card(3).getByText('applied', { exact: true }).count()).toBe(0); // never validated
      const table = page.getByRole('table', { name: 'Label delivery table' });
      await table.getByText('features come from another model').waitFor();
      expect(await table.getByRole('row').count()).toBe(4);
      await shot('10-label-delivery');
      await page.goto(`${s.url}/drift`);
      const status = page.getByRole('table', { name: 'Feedback delivery per device' });
      await status.getByText('1 rejected').waitFor();
      expect(await status.getByText('delivered').count()).toBe(0);
      expect(errors).toEqual([]);
    });

    it("shows a device's adaptation timeline; accept and revert reach the server and the device", async () => {
      await page.goto(`${s.url}/devices/${autonomous.deviceId}`);
      const timeline = page.getByRole('table', { name: 'Adaptation timeline' });
      const pseudo = timeline.getByRole('row', { name: 'Adaptation 1: pseudo-class-created pseudo-1' });
      const reinforced = timeline.getByRole('row', { name: 'Adaptation 2: class-reinforced sneaker' });
      await pseudo.waitFor();
      expect(await pseudo.textContent()).toContain('1 → 2');
      await reinforced.getByRole('button', { name: 'Accept' }).click();
      await reinforced.getByText('accepted by test-engineer').waitFor();
      page.once('dialog', (d) => void d.accept());
      await pseudo.getByRole('button', { name: 'Revert' }).click();
      await pseudo.getByText('reverted by test-engineer').waitFor();
      await pseudo.getByText('queued', { exact: true }).waitFor();
      // The device pulls the revert, rolls back, and says so; the page shows it without a reload.
      const inbox = await pullV2(s, autonomous);
      const revert = inbox.items.find((i) => i.kind === 'revert');
      expect(revert).toMatchObject({ adaptation: { seq: 1, stateVersionBefore: 1, stateVersionAfter: 2 } });
      const reason = 'rolled back to state version 1';
      const applied = { feedbackId: revert!.feedbackId, cursor: revert!.cursor, status: 'applied' as const, reason };
      await ackV2(s, autonomous, inbox.nextCursor, [applied]);
      await pseudo.getByText('applied', { exact: true }).waitFor({ timeout: 30_000 });
      expect(await pseudo.getByRole('button', { name: 'Revert' }).count()).toBe(0);
      await shot('09-adaptations');
      expect(errors).toEqual([]);
    });

    it("sets a device's mode from its page; the device finds it in its inbox", async () => {
      await page.goto(`${s.url}/devices/${autonomous.deviceId}`);
      const mode = page.getByRole('region', { name: 'Mode' });
      await mode.getByLabel('Set mode').selectOption('server-assisted');
      await mode.getByRole('button', { name: 'Apply' }).click();
      await mode.getByText('from device').waitFor();
      const inbox = await pullV2(s, autonomous);
      const modes = inbox.items.flatMap((i) => (i.kind === 'settings' ? [i.settings.mode] : []));
      expect(modes).toEqual(['server-assisted']);
      expect(errors).toEqual([]);
    });
  },
);
