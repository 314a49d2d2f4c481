import { expect, it, describe } from 'vitest';
import { RolloutAuditList } from '@tinymlops/contracts';
import { advanceRollouts } from '../../tinysphere/src/modules/rollouts/rollout-engine.js';
import { databaseEngines } from '../../tinysphere/src/testing/database-engines.js';
import { ackV2, pullV2, type LoopDevice } from '../../tinysphere/src/testing/learning-loop.js';
import {
  getRollout,
  heartbeat,
  reportEpisode,
  reportInstall,
  rolloutFleet,
  TestClock,
} from '../../tinysphere/src/testing/rollout-fleet.js';
import { readJson, type TestServer } from '../../tinysphere/src/testing/test-server.js';
import { browserTestsEnabled } from './browser.js';
import { seededDashboard } from './seeded-dashboard.js';

const MODEL = 'shelf-model';
const NEW = { modelId: MODEL, version: '2.0.0' };

/** Two groups of devices on 1.0.0 of the model: one for the operator's rollout, one that goes bad. */
async function seedRollouts(s: TestServer) {
  const shelf = await rolloutFleet(s, 'shelf', 6, MODEL, ['1.0.0', '2.0.0']);
  const lab = await rolloutFleet(s, 'lab', 6, MODEL, ['1.0.0', '2.0.0']);
  return { shelf, lab };
}

describe.skipIf(!browserTestsEnabled()).each(databaseEngines())(
  'staged rollouts in a real browser on $name',
  (engine) => {
    const clock = new TestClock(Date.now() - 6 * 3_600_000);
    const d = seededDashboard(engine, seedRollouts, { now: clock.now, config: { rolloutStepMs: 0 } });
    const step = () => advanceRollouts(d.s.app.ctx);
    const byId = (devices: LoopDevice[], id: string) => devices.find((x) => x.deviceId === id)!;
    // After a click on a rollout link the URL changes a moment later: wait for it, or the id is stale.
    const rolloutIdFromUrl = async () => {
      await d.page.waitForURL(/\/rollouts\/[^/]+$/);
      return new URL(d.page.url()).pathname.split('/').pop()!;
    };
    const audit = async (id: string) =>
      RolloutAuditList.parse(
        await readJson(d.s.call('GET', `/api/v1/rollouts/${id}/audit`, { token: d.s.viewerToken })),
      ).items;
    const confirm = async (action: string, reason: string) => {
      const { page } = d;
      await page.getByRole('group', { name: 'Rollout controls' }).getByRole('button', { name: action }).click();
      const dialog = page.getByRole('dialog', { name: `Confirm ${action.toLowerCase()}` });
      await dialog.getByLabel('Reason (audited)').fill(reason);
      await dialog.getByRole('button', { name: `Confirm ${action.toLowerCase()}` }).click();
      await dialog.waitFor({ state: 'detached' });
    };
    const shownState = (state: string) => d.page.locator('.page-head').getByText(state, { exact: true }).waitFor();

    it('starts a rollout from the Models page and shows its waves, devices and health with limits', async () => {
      const { page, s } = d;
      await page.goto(`${s.url}/models/${MODEL}`);
      const form = page.getByRole('form', { name: 'Start a rollout' }).first();
      await form.getByLabel('Rollout deployable').selectOption({ label: '2.0.0' });
      await form.getByLabel('Rollout target').selectOption('group');
      await form.getByLabel('Target name').fill('shelf');
      await form.getByLabel('Waves').fill('2, 100%');
      await form.getByText('Health thresholds (defaults filled in)').click();
      // The server's defaults are shown, not blanks.
      await expect.poll(() => form.getByLabel('Max confidence drop').inputValue()).toBe('0.1');
      await form.getByRole('button', { name: 'Start rollout' }).click();
      await form.getByRole('status').getByRole('link', { name: 'wave 1 of 2' }).click();
      await shownState('running');
      const id = await rolloutIdFromUrl();
      const wave1 = page.getByRole('table', { name: 'Devices of wave 1' });
      await expect.poll(() => wave1.getByText('assigned').count()).toBe(2);
      await d.shot('20-rollout-started');
      // The canary installs and reports; a step later the page shows it installed, with health.
      const view = await getRollout(s, id);
      for (const c of view.waves[0]!.devices) {
        await reportInstall(s, byId(d.seeded.shelf, c.deviceId), NEW, clock.now());
        await heartbeat(s, byId(d.seeded.shelf, c.deviceId), NEW);
      }
      clock.advance(30);
      expect((await step()).get(id)).toBe('soaking');
      await page.reload();
      await expect.poll(() => wave1.getByText('installed').count()).toBe(2);
      // What they run comes from their heartbeats (the deployments view, loaded on its own).
      await expect.poll(() => wave1.getByText(`${MODEL}@2.0.0`).count()).toBe(2);
      const health = page.getByRole('table', { name: 'Health of wave 1' });
      await health.locator('tr[data-signal="drift-episodes"]').waitFor();
      expect(await health.locator('tbody tr').count()).toBe(6);
      expect(await health.getByTestId('limit-line').count()).toBeGreaterThanOrEqual(3);
      await d.shot('21-rollout-waves');
      expect(d.errors).toEqual([]);
    });

    it('pauses, resumes, promotes and aborts with confirmation, and audits each with its reason', async () => {
      const { page } = d;
      const id = await rolloutIdFromUrl();
      await confirm('Pause', 'checking the canary by hand');
      await shownState('paused');
      await confirm('Resume', 'canary looks fine');
      await shownState('running');
      await confirm('Promote', 'skip the rest of the soak');
      await page.getByRole('table', { name: 'Devices of wave 2' }).waitFor();
      await confirm('Abort', 'stop here');
      await shownState('aborted');
      const trail = page.getByRole('table', { name: 'Audit trail' });
      await trail.getByText('stop here').waitFor();
      const mine = (await audit(id)).filter((a) => a.actor === 'test-engineer');
      expect(mine.map((a) => `${a.action}:${a.reason ?? ''}`)).toEqual([
        'create:',
        'start-wave:2 devices',
        'pause:checking the canary by hand',
        'resume:canary looks fine',
        'promote:skip the rest of the soak',
        'start-wave:4 more devices',
        'abort:stop here',
      ]);
      await d.shot('22-rollout-audit');
      expect(d.errors).toEqual([]);
    });

    it('shows why a rollout halted, with the breached signal past its drawn limit', async () => {
      const { page, s } = d;
      const r = await s.call('POST', '/api/v1/rollouts', {
        token: s.engineerToken,
        json: {
          deployable: { kind: 'model', ...NEW },
          target: { kind: 'group', group: 'lab' },
          waves: [{ devices: 2 }, { percent: 100 }],
          soakSeconds: 3600,
        },
      });
      const id = ((await r.json()) as { id: string }).id;
      const canary = (await getRollout(s, id)).waves[0]!.devices.map((c) => byId(d.seeded.lab, c.deviceId));
      for (const c of canary) {
        await reportInstall(s, c, NEW, clock.now());
        await heartbeat(s, c, NEW);
      }
      clock.advance(10);
      await reportEpisode(
        s,
        d.seeded.lab.find((x) => !canary.includes(x))!,
        clock.now(),
      );
      for (const c of canary) for (let i = 0; i < 6; i++) await reportEpisode(s, c, new Date(clock.t + i * 60_000));
      clock.advance(51);
      expect((await step()).get(id)).toBe('halted');
      await page.goto(`${s.url}/rollouts`);
      const row = page.getByRole('table', { name: 'Rollouts' }).getByRole('row').filter({ hasText: 'group lab' });
      await row.getByText(/^wave 1: drift-episodes/).waitFor();
      await row.click();
      await page
        .getByRole('alert', { name: 'Halt reason' })
        .getByText(/drift-episodes .* > limit/)
        .waitFor();
      const drift = page.getByRole('table', { name: 'Health of wave 1' }).locator('tr[data-signal="drift-episodes"]');
      expect(await drift.getAttribute('data-breached')).toBe('true');
      await drift.getByText('breached').waitFor();
      await expect.poll(() => page.getByText('rolled-back').count()).toBe(2);
      await d.shot('23-rollout-halted');
      expect(d.errors).toEqual([]);
    });

    it('creates a configuration version, shows the server refusing a bad one, and rolls it out', async () => {
      const { page, s } = d;
      await page.goto(`${s.url}/models/${MODEL}`);
      const form = page.getByRole('form', { name: 'New configuration version' });
      await form.getByLabel('Configuration name').fill('shelf-cameras');
      await form.getByLabel('Configuration JSON').fill('{ "syncIntervalSeconds": 0 }');
      await form.getByRole('button', { name: 'Create version' }).click();
      const refusal = form.getByRole('alert', { name: 'Configuration errors' });
      await refusal.getByText('config.syncIntervalSeconds').waitFor();
      expect(await refusal.textContent()).toMatch(/>=\s?1|at least 1|too small/i);
      await d.shot('24-config-refused');
      await form.getByLabel('Configuration JSON').fill('{ "syncIntervalSeconds": 60 }');
      await form.getByRole('button', { name: 'Create version' }).click();
      await form.getByRole('status').getByText('Stored shelf-cameras@1.0.0').waitFor();
      await page.getByRole('table', { name: 'Configuration versions' }).getByText('syncIntervalSeconds').waitFor();
      const panel = page.getByRole('region', { name: 'Configuration versions' });
      const start = panel.getByRole('form', { name: 'Start a rollout' });
      await start.getByLabel('Rollout deployable').selectOption({ label: 'config shelf-cameras@1.0.0' });
      await start.getByLabel('Rollout target').selectOption('group');
      await start.getByLabel('Target name').fill('shelf');
      await start.getByLabel('Waves').fill('1, 100%');
      await start.getByRole('button', { name: 'Start rollout' }).click();
      await start.getByRole('status').getByRole('link').click();
      const id = await rolloutIdFromUrl();
      await page.getByRole('heading', { name: 'Rollout of config shelf-cameras@1.0.0' }).waitFor();
      // The canary's device applies it through its inbox; the next step shows it installed.
      const canary = byId(d.seeded.shelf, (await getRollout(s, id)).waves[0]!.devices[0]!.deviceId);
      const inbox = await pullV2(s, canary);
      const settings = inbox.items.filter((i) => i.kind === 'settings');
      expect(settings).toHaveLength(1);
      const outcomes = settings.map((i) => ({
        feedbackId: i.feedbackId,
        cursor: i.cursor,
        status: 'applied' as const,
        reason: 'config shelf-cameras@1.0.0: sync every 60 s',
      }));
      expect(await ackV2(s, canary, inbox.nextCursor, outcomes)).toBe(204);
      clock.advance(1);
      await step();
      await page.reload();
      const wave1 = page.getByRole('table', { name: 'Devices of wave 1' });
      await wave1.getByText('installed').waitFor();
      await wave1.getByText('shelf-cameras@1.0.0', { exact: true }).waitFor();
      await wave1.getByText('config shelf-cameras@1.0.0: sync every 60 s').waitFor();
      await d.shot('25-config-rollout');
      // The one console error is the browser noting the refused (400) version above.
      expect(d.errors).toEqual([expect.stringMatching(/status of 400 .*\/api\/v1\/configs\/shelf-cameras\/versions/)]);
    });
  },
);
