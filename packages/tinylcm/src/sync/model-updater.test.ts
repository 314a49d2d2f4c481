import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceApi } from './device-api.js';
import { TOKEN } from './loopback-device-server.fixture.js';
import { ModelUpdater } from './model-updater.js';
import { SyncHarness, bundleFixture as bundle, statusReport } from './sync-harness.fixture.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await SyncHarness.create();
});
afterEach(() => h.close());

describe('ModelUpdater, through SyncClient rounds', () => {
  it('downloads, verifies and installs a new assignment, reports it, then polls with the ETag (304)', async () => {
    h.server.assignment = await bundle();
    const seen: string[] = [];
    const install = async (stagingDir: string) => void seen.push(...(await readdir(stagingDir)).sort());
    expect((await h.client({ install }).syncOnce()).model).toBe('installed');
    expect(seen).toEqual(['bundle.json', 'model.tflite']);
    expect(h.server.reports).toMatchObject([{ modelId: 'tiny-model', version: '1.1.0', status: 'installed' }]);
    const r = await h.client({ install }).syncOnce(); // restarted device: etag persisted, heartbeat says unchanged
    expect(r.model).toBeUndefined();
    expect(h.server.assignmentRequests).toEqual([undefined]);
    h.server.assignment.etag = '"tiny-model-1.1.0-b"'; // e.g. re-assigned: the poll sends the old etag
    h.server.assignmentRequests.length = 0;
    const c = h.client({ install });
    await c.syncOnce();
    expect(h.server.assignmentRequests).toEqual(['"tiny-model-1.1.0"']);
  });

  it('answers 304 Not Modified with nothing to do', async () => {
    h.server.assignment = await bundle();
    const install = vi.fn(async () => undefined);
    await h.client({ install }).syncOnce();
    const api = new DeviceApi({ serverUrl: h.server.url, deviceToken: TOKEN });
    const updater = new ModelUpdater({ api, dir: join(h.dir, 'state'), install, log: h.log });
    expect(await updater.poll()).toMatchObject({ ok: true, value: 'unchanged' });
    expect(h.server.assignmentRequests.at(-1)).toBe('"tiny-model-1.1.0"');
    expect(install).toHaveBeenCalledTimes(1);
  });

  it('reports a version the device already runs as installed, without downloading it', async () => {
    h.server.assignment = await bundle();
    const install = vi.fn(async () => undefined);
    const runsIt = h.client({
      install,
      status: () => ({ ...statusReport(), model: { modelId: 'tiny-model', version: '1.1.0' } }),
    });
    expect((await runsIt.syncOnce()).model).toBe('current');
    expect(install).not.toHaveBeenCalled();
    expect(h.server.reports).toMatchObject([{ version: '1.1.0', status: 'installed' }]);
  });

  it('stops polling once the assignment is withdrawn (204)', async () => {
    h.server.assignment = await bundle();
    const c = h.client({ install: async () => undefined });
    await c.syncOnce();
    h.server.assignment = undefined;
    expect((await c.syncOnce()).model).toBe('none');
    await c.syncOnce();
    expect(h.server.assignmentRequests).toEqual([undefined, '"tiny-model-1.1.0"']);
  });

  it('stops reading a bundle larger than the assignment announced', async () => {
    const fixture = await bundle();
    h.server.assignment = { ...fixture, body: { ...fixture.body, bundleSize: 100 } };
    const install = vi.fn(async () => undefined);
    expect((await h.client({ install }).syncOnce()).model).toBe('failed');
    expect(install).not.toHaveBeenCalled();
    expect(h.server.reports).toMatchObject([
      { status: 'failed', message: expect.stringMatching(/larger than the 100 bytes/) },
    ]);
  });

  it('rejects a bundle whose archive hash does not match X-Content-SHA256, without installing', async () => {
    h.server.assignment = { ...(await bundle()), headerSha: '0'.repeat(64) };
    const install = vi.fn(async () => undefined);
    expect((await h.client({ install }).syncOnce()).model).toBe('failed');
    expect(install).not.toHaveBeenCalled();
    expect(h.server.reports).toMatchObject([{ status: 'failed', message: expect.stringMatching(/X-Content-SHA256/) }]);
    expect(await readdir(join(h.dir, 'state'))).not.toContain('staging');
  });

  it('rejects a bundle whose file fails its bundle.json hash, and reports a failed install hook as rolled back', async () => {
    h.server.assignment = await bundle({ corruptFile: true });
    const install = vi.fn(async () => undefined);
    expect((await h.client({ install }).syncOnce()).model).toBe('failed');
    expect(install).not.toHaveBeenCalled();
    expect(h.server.reports.at(-1)).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/model.tflite fails/),
    });
    await h.client({ install }).syncOnce(); // the same broken version is not fetched again
    expect(h.server.reports).toHaveLength(1);
    h.server.assignment = await bundle({ version: '1.2.0' });
    const broken = vi.fn(() => Promise.reject(new Error('model does not load')));
    expect((await h.client({ install: broken }).syncOnce()).model).toBe('rolled-back');
    expect(broken).toHaveBeenCalledTimes(1);
    expect(h.server.reports.at(-1)).toMatchObject({
      version: '1.2.0',
      status: 'rolled-back',
      message: 'install failed: model does not load',
    });
  });
});
