/**
 * What flaky Wi-Fi does to uploads: the head and part of the body of a package upload, then the
 * connection drops (over 1 MiB with a Content-Length, or chunked), or just stops sending.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** One upload cut off mid-body; resolves once the connection is gone. */
export function abortedUpload(
  serverUrl: string,
  token: string,
  packageId: string,
  o: { chunked: boolean; stall: boolean },
): Promise<void> {
  const url = new URL(serverUrl);
  const total = 3 * 1024 * 1024;
  const sent = 1536 * 1024;
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      const head = [
        `PUT /device/v1/packages/${packageId} HTTP/1.1`,
        `Host: ${url.host}`,
        `Authorization: Bearer ${token}`,
        'Content-Type: application/gzip',
        `X-Content-SHA256: ${'0'.repeat(64)}`,
        o.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${total}`,
      ];
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      const body = randomBytes(sent);
      socket.write(
        o.chunked ? Buffer.concat([Buffer.from(`${sent.toString(16)}\r\n`), body, Buffer.from('\r\n')]) : body,
      );
      if (!o.stall) setTimeout(() => socket.destroy(), 50);
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.resume();
  });
}
