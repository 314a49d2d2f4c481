import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { DatabaseEngine } from '../../tinysphere/src/testing/database-engines.js';
import { startTestServer, type TestServer } from '../../tinysphere/src/testing/test-server.js';
import { screenshot, signedInPage } from './browser.js';
import { seedFleet } from './seed-fleet.js';
import { seedModel } from './seed-model.js';

/** What {@link seededDashboard} hands a test once `beforeAll` ran. */
export interface SeededDashboard<T> {
  readonly s: TestServer;
  readonly page: Page;
  /** Console errors and page errors seen so far (the tests expect none). */
  readonly errors: string[];
  /** What `seed` returned. */
  readonly seeded: T;
  /** A screenshot named for the docs (PGlite) or prefixed with the engine's name. */
  shot(name: string): Promise<string>;
}

/**
 * The browser tests' common frame: a real TinySphere on `engine`, seeded by `seed`, and Chromium
 * signed in as an engineer; both closed after the file's tests. Call it inside `describe`.
 * @example
 * const d = seededDashboard(engine, (s) => seedFleet(s));
 * it('…', async () => { await d.page.goto(`${d.s.url}/`); });
 */
export function seededDashboard<T>(
  engine: DatabaseEngine,
  seed: (s: TestServer) => Promise<T>,
  server: Parameters<typeof startTestServer>[1] = {},
): SeededDashboard<T> {
  let s: TestServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let errors: string[] = [];
  let seeded: T | undefined;
  beforeAll(async () => {
    s = await startTestServer(engine, server);
    seeded = await seed(s);
    ({ browser, page, errors } = await signedInPage(s.url, s.engineerToken));
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });
  const ready = <V>(v: V | undefined): V => {
    if (v === undefined) throw new Error('seededDashboard: used before beforeAll ran');
    return v;
  };
  return {
    get s() {
      return ready(s);
    },
    get page() {
      return ready(page);
    },
    get errors() {
      return errors;
    },
    get seeded() {
      return ready(seeded);
    },
    shot: (name) => screenshot(ready(page), engine.name === 'pglite' ? name : `${engine.name}-${name}`),
  };
}

/**
 * The common seed: the fleet of `seedFleet` and one model, `fashion-mnv2@1.0.0`.
 * @example
 * const d = seededDashboard(engine, seedFleetWithModel); // d.seeded: the fleet's devices
 */
export async function seedFleetWithModel(s: TestServer) {
  const fleet = await seedFleet(s);
  await seedModel(s, 'fashion-mnv2', ['1.0.0']);
  return fleet;
}
