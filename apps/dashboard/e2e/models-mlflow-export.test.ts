import { readFile } from 'node:fs/promises';
import { logModelVersion, readFieldDataset, startMlflowFake, type MlflowFake } from '@tinymlops/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlflowConfig } from '../../tinysphere/src/modules/mlflow/mlflow-config.js';
import { buildBundle } from '../../tinysphere/src/testing/bundle-archive.js';
import { databaseEngines } from '../../tinysphere/src/testing/database-engines.js';
import { seedDriftSamples } from '../../tinysphere/src/testing/drift-samples.js';
import { readJson, startTestServer, waitUntil, type TestServer } from '../../tinysphere/src/testing/test-server.js';
import { browserTestsEnabled, launchChromium, screenshot, watchConsole } from './browser.js';

describe.skipIf(!browserTestsEnabled()).each(databaseEngines().slice(0, 1))(
  'models page: MLflow imports and the validated-samples export, in a real browser ($name)',
  (engine) => {
    let mlflow: MlflowFake;
    let s: TestServer;
    let browser: Browser;
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      mlflow = await startMlflowFake();
      const config = mlflowConfig(
        { mlflowTrackingUri: mlflow.url, mlflowModel: ['models:/fashion@champion'], mlflowPollSeconds: 0 },
        {},
      );
      s = await startTestServer(engine, { config: { mlflow: config } });
      await logModelVersion(mlflow.url, {
        name: 'fashion',
        files: (await buildBundle('fashion-mnv2', '1.0.0')).files,
        alias: 'champion',
      });
      await logModelVersion(mlflow.url, { name: 'fashion', files: { 'readme.txt': Buffer.from('oops') } });
      for (const modelUri of ['models:/fashion@champion', 'models:/fashion/2']) {
        await s.call('POST', '/api/v1/mlflow/imports', { token: s.engineerToken, json: { modelUri } });
      }
      await waitUntil(
        async () => (await readJson(s.call('GET', '/api/v1/mlflow/imports', { token: s.viewerToken }))).items,
        (items: { status: string }[]) => items.length === 2 && items.every((i) => i.status !== 'pending'),
      );
      const dev = await s.enrol('hw-browser-export');
      const ids = await seedDriftSamples(s, dev, 'ep_browser01', 4);
      for (const [i, label] of ['bag', 'coat', 'bag'].entries()) {
        const json = { decision: 'new-class', label };
        await s.call('POST', `/api/v1/drift/samples/${dev.deviceId}/${ids[i]}/validation`, {
          token: s.engineerToken,
          json,
        });
      }
      browser = await launchChromium();
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
      page = await context.newPage();
      page.setDefaultTimeout(20_000);
      errors = watchConsole(page);
      await page.goto(`${s.url}/login`);
      await page.getByLabel('API token').fill(s.engineerToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
    }, 240_000);
    afterAll(async () => {
      await browser?.close();
      await s?.stop();
      await mlflow?.stop();
    });

    it('shows where each version came from in MLflow, and a failed import with its reason', async () => {
      await page.goto(`${s.url}/models/fashion-mnv2`);
      const versions = page.getByRole('table', { name: 'Model versions' });
      await versions.getByText('fashion v1').waitFor();
      const records = page.getByRole('table', { name: 'MLflow import records' });
      await records.getByText('imported').waitFor();
      expect(await records.textContent()).toMatch(/failed.*holds no bundle\.json.*found: readme\.txt/);
      expect(await page.getByRole('region', { name: 'MLflow imports' }).textContent()).toContain(
        'models:/fashion@champion',
      );
      expect(errors).toEqual([]);
    });

    it('downloads the labelled samples of one label as a field dataset, and logs them to MLflow', async () => {
      const form = page.getByRole('form', { name: 'Export validated samples' });
      await form.getByLabel('Labels').fill('bag');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        form.getByRole('button', { name: 'Download dataset' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^fashion-mnv2-field-\d{8}T\d{6}Z\.tar\.gz$/);
      const ds = await readFieldDataset(new Uint8Array(await readFile((await download.path()) as string)));
      expect(ds.samples.map((x) => x.label)).toEqual(['bag', 'bag']);
      await form.getByText(/^Saved fashion-mnv2-field-/).waitFor();
      await form.getByRole('button', { name: 'Log to MLflow' }).click();
      await form.getByText(/^Logged 2 samples to MLflow run [0-9a-f]{32}/).waitFor();
      await screenshot(page, '09-models-mlflow-export');
      await form.getByLabel('Labels').fill('zebra');
      await form.getByRole('button', { name: 'Download dataset' }).click();
      await form
        .getByRole('alert')
        .getByText(/no validated samples of model fashion-mnv2 match the filter \(classes zebra\)/)
        .waitFor();
      expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    });
  },
);
