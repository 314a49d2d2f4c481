import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where page screenshots go (git-ignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

/** The browser the tests drive: Debian's chromium (`apt-get install chromium`) or `CHROMIUM_PATH`. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * True when the browser tests can run. Outside CI a machine without Chromium skips them with one
 * loud line; in CI (`CI=true`, where .ci/run installs it) they run and fail if it is missing.
 */
export function browserTestsEnabled(): boolean {
  if (existsSync(CHROMIUM_PATH) || process.env['CI']) return true;
  console.warn(
    `\n!!! dashboard browser tests SKIPPED: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH). !!!\n`,
  );
  return false;
}

/**
 * Debian's chromium, headless, with the flags this machine needs (no background networking). The
 * WebUI omnibox popup is off: Chromium 156 builds it, in a renderer of its own running about half
 * a second of script, for every new window, and each test and bench visit opens one; on two cores
 * it competed with the page being measured (Overview median 1,134 → 927 ms with it off, same run).
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup',
    ],
  });
}

/** Collects console errors and uncaught page errors; the tests fail if any appear. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * A page signed in to the dashboard with `token` (through the login form, as a person does), its
 * console watched; the tests' common start.
 * @example
 * const { browser, page, errors } = await signedInPage(s.url, s.engineerToken);
 */
export async function signedInPage(url: string, token: string, viewport = { width: 1440, height: 1000 }) {
  const browser = await launchChromium();
  const page = await (await browser.newContext({ viewport })).newPage();
  page.setDefaultTimeout(20_000);
  const errors = watchConsole(page);
  await page.goto(`${url}/login`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return { browser, page, errors };
}
