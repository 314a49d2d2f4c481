import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { partialUpload } from '../../testing/partial-upload.js';
import { startTestServer, waitUntil, type TestServer } from '../../testing/test-server.js';

/** Open file descriptors of this process (the server runs in it). */
const openFds = () => readdir('/proc/self/fd').then((f) => f.length);

/**
 * Probe finding 2: a client that drops an upload mid-body (over 1 MiB, or chunked) used to leave an
 * open file and a temp file behind for good; a client that stops sending held its connection for
 * ever. Both must be cleaned up.
 */
describe.each(databaseEngines().slice(0, 1))('aborted and stalled uploads ($name)', (engine) => {
  let s: TestServer;
  let dev: { deviceId: string; deviceToken: string };
  let tmpDir: string;
  beforeAll(async () => {
    s = await startTestServer(engine, { config: { connectionIdleTimeoutMs: 1000 } });
    dev = await s.enrol('hw-flaky-wifi');
    tmpDir = path.join((s.blobs as unknown as { root: string }).root, '.tmp');
  });
  afterAll(() => s.stop());

  it('releases the file and deletes the temp file of every upload the client drops', async () => {
    const before = await openFds();
    for (let i = 0; i < 12; i++) {
      const big = { total: 3 * 1024 * 1024, sent: 1536 * 1024 };
      await partialUpload(s, dev.deviceToken, `pkg_drop_${i}`, i % 2 ? { ...big, chunked: true } : big);
    }
    await waitUntil(
      async () => ({ tmp: (await readdir(tmpDir)).length, fds: await openFds() }),
      (v) => v.tmp === 0 && v.fds <= before + 2,
      30_000,
    );
    expect(await s.db.db.selectFrom('packages').select('package_id').execute()).toEqual([]);
  });

  it('cuts off a client that stops sending mid-body, and cleans up after it', async () => {
    const before = await openFds();
    // Resolves only when the server closes the connection (the test's own timeout is the failure).
    await partialUpload(s, dev.deviceToken, 'pkg_stall_1', { total: 3 * 1024 * 1024, sent: 1536 * 1024, stall: true });
    await partialUpload(s, dev.deviceToken, 'pkg_stall_2', { total: 200_000, sent: 1000, stall: true });
    await waitUntil(
      async () => ({ tmp: (await readdir(tmpDir)).length, fds: await openFds() }),
      (v) => v.tmp === 0 && v.fds <= before + 2,
      30_000,
    );
  });
});
