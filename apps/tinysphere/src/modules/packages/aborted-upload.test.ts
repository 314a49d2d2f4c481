import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { startTestServer, waitUntil, type TestServer } from '../../testing/test-server.js';

/** Open file descriptors of this process (the server runs in it). */
const openFds = () => readdir('/proc/self/fd').then((f) => f.length);

/**
 * Sends the head of a package upload and `sent` bytes of its body over a raw socket, then either
 * drops the connection (flaky Wi-Fi) or, with `stall`, just stops sending and waits to be cut off.
 * Resolves when the socket is closed.
 */
function partialUpload(
  s: TestServer,
  token: string,
  packageId: string,
  o: { total: number; sent: number; chunked?: boolean; stall?: boolean },
): Promise<void> {
  const url = new URL(s.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      const head = [
        `PUT /device/v1/packages/${packageId} HTTP/1.1`,
        `Host: ${url.host}`,
        `Authorization: Bearer ${token}`,
        'Content-Type: application/gzip',
        `X-Content-SHA256: ${createHash('sha256').update(packageId).digest('hex')}`,
        o.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${o.total}`,
      ];
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      const body = randomBytes(o.sent);
      socket.write(
        o.chunked ? Buffer.concat([Buffer.from(`${o.sent.toString(16)}\r\n`), body, Buffer.from('\r\n')]) : body,
      );
      if (!o.stall) setTimeout(() => socket.destroy(), 100);
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.resume();
  });
}

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
