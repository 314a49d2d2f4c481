import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import type { TestServer } from './test-server.js';

/**
 * Sends the head of a package upload and `sent` bytes of its body over a raw socket, then either
 * drops the connection (flaky Wi-Fi) or, with `stall`, just stops sending and waits to be cut off.
 * Resolves when the socket is closed.
 * @example
 * await partialUpload(server, token, 'pkg_drop_1', { total: 3 << 20, sent: 1536 << 10, chunked: true });
 */
export function partialUpload(
  s: Pick<TestServer, 'url'>,
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
