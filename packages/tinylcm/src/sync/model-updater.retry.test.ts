import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceApi } from './device-api.js';
import { TOKEN } from './loopback-device-server.fixture.js';
import { ModelUpdater, type InstallHook } from './model-updater.js';
import { SyncHarness, bundleFixture as bundle } from './sync-harness.fixture.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await SyncHarness.create();
});
afterEach(() => h.close());

const MINUTE = 60_000;

/** An updater on the harness's server and clock; retry delays without jitter (random → 1). */
function updater(install: InstallHook): ModelUpdater {
  const api = new DeviceApi({ serverUrl: h.server.url, deviceToken: TOKEN, now: () => h.now });
  const retry = { baseMs: MINUTE, maxMs: 60 * MINUTE, random: () => 1 };
  return new ModelUpdater({ api, dir: join(h.dir, 'state'), install, log: h.log, now: () => h.now, retry });
}

const reassign = (etag: string) => {
  if (h.server.assignment) h.server.assignment.etag = etag;
};

describe('ModelUpdater: a version whose install failed', () => {
  it('is not fetched again for the same assignment, and is retried once it is assigned again, after the delay', async () => {
    h.server.assignment = await bundle();
    const install = vi.fn<InstallHook>(() => Promise.reject(new Error('out of memory')));
    const u = updater(install);
    expect(await u.poll()).toMatchObject({ value: 'rolled-back' });
    expect(await u.poll()).toMatchObject({ value: 'unchanged' }); // same assignment: 304
    reassign('"tiny-model-1.1.0-again"');
    expect(await u.poll()).toMatchObject({ value: 'deferred' }); // the first retry waits a minute
    expect(await u.etag()).toBe('"tiny-model-1.1.0"'); // not taken: the next round asks again
    expect(install).toHaveBeenCalledTimes(1);
    h.now += MINUTE;
    install.mockResolvedValueOnce(undefined);
    expect(await u.poll()).toMatchObject({ value: 'installed' });
    expect(install).toHaveBeenCalledTimes(2);
    expect(h.server.reports.map((r) => (r as { status: string }).status)).toEqual(['rolled-back', 'installed']);
  });

  it('waits twice as long after each failed attempt', async () => {
    h.server.assignment = await bundle();
    const install = vi.fn<InstallHook>(() => Promise.reject(new Error('does not load')));
    const u = updater(install);
    await u.poll(); // attempt 1 fails: retry after 1 min
    reassign('"b"');
    h.now += MINUTE;
    expect(await u.poll()).toMatchObject({ value: 'rolled-back' }); // attempt 2 fails: retry after 2 min
    reassign('"c"');
    h.now += MINUTE;
    expect(await u.poll()).toMatchObject({ value: 'deferred' });
    h.now += MINUTE;
    expect(await u.poll()).toMatchObject({ value: 'rolled-back' });
    expect(install).toHaveBeenCalledTimes(3);
    expect(h.warnings.filter((w) => w['attempts'] === 3)).toHaveLength(1);
  });

  it('survives a restart: the failure and its delay are kept in the assignment state', async () => {
    h.server.assignment = await bundle({ corruptFile: true });
    const install = vi.fn<InstallHook>(async () => undefined);
    expect(await updater(install).poll()).toMatchObject({ value: 'failed' });
    reassign('"fixed-upload"');
    expect(await updater(install).poll()).toMatchObject({ value: 'deferred' });
    h.server.assignment = { ...(await bundle()), etag: '"fixed-upload"' };
    h.now += MINUTE;
    expect(await updater(install).poll()).toMatchObject({ value: 'installed' });
  });
});
