import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBlob } from '../blob-store.js';
import { S3BlobStore } from './s3.js';

const MiB = 1024 * 1024;
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * A slow S3: a TCP proxy in front of s3rver that forwards what the store sends at `bytesPerMs`
 * (it stops reading its client while it "sends"), and counts the bytes it forwarded.
 */
async function slowProxy(target: number, bytesPerMs: number) {
  const stats = { forwarded: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      stats.forwarded += chunk.length;
      client.pause();
      setTimeout(() => client.resume(), Math.ceil(chunk.length / bytesPerMs));
    });
    upstream.pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const cutAll = () => sockets.forEach((s) => s.destroy());
  return { port, stats, cutAll, close: () => (cutAll(), new Promise((r) => server.close(r))) };
}

/**
 * `total` bytes of a repeatable pattern, made only when read; `peakAhead` is the most it was
 * ever ahead of what the proxy forwarded, i.e. what the store held at once.
 */
function lazySource(total: number, forwarded: () => number, fail?: { after: number }) {
  const hash = createHash('sha256');
  const state = { produced: 0, peakAhead: 0, hash: '' };
  const chunk = 64 * 1024;
  const stream = new Readable({
    read() {
      if (fail && state.produced >= fail.after) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (state.produced >= total) {
        state.hash = hash.digest('hex');
        this.push(null);
        return;
      }
      const n = Math.min(chunk, total - state.produced);
      const bytes = Buffer.alloc(n, (state.produced / chunk) % 251);
      hash.update(bytes);
      state.produced += n;
      state.peakAhead = Math.max(state.peakAhead, state.produced - forwarded());
      this.push(bytes);
    },
  });
  return { stream, state };
}

describe('S3BlobStore streams puts (s3rver behind a slow link)', () => {
  let dir: string;
  let server: S3rver;
  let proxy: Awaited<ReturnType<typeof slowProxy>>;
  let store: S3BlobStore;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 's3rver-stream-'));
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const admin = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
    await admin.send(new CreateBucketCommand({ Bucket: 'tinymlops' }));
    admin.destroy();
    proxy = await slowProxy(port, 16 * 1024); // 16 MB/s
    store = new S3BlobStore({ bucket: 'tinymlops', endpoint: `http://127.0.0.1:${proxy.port}`, credentials });
  });
  afterAll(async () => {
    await store.close();
    await proxy.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds about one part of a large upload, however large, and stores it intact', async () => {
    const total = 40 * MiB;
    const src = lazySource(total, () => proxy.stats.forwarded);
    expect(await store.put('big/forty.bin', src.stream)).toEqual({ key: 'big/forty.bin', size: total });
    // Buffering the whole body first would have read all 40 MiB before sending a byte. Streamed,
    // the source runs ahead of S3 by one 5 MiB part plus what the loopback sockets buffer.
    expect(src.state.peakAhead).toBeLessThan(total / 2);
    const stored = await readBlob(store, 'big/forty.bin');
    expect(stored?.length).toBe(total);
    expect(createHash('sha256').update(stored!).digest('hex')).toBe(src.state.hash);
  }, 120_000);

  it('fails the put and stores nothing when the source breaks mid-body', async () => {
    const src = lazySource(12 * MiB, () => proxy.stats.forwarded, { after: 7 * MiB });
    await expect(store.put('broken/aborted.bin', src.stream)).rejects.toThrow();
    expect(await store.head('broken/aborted.bin')).toBeNull();
  }, 120_000);

  it('stops reading the source when S3 goes away mid-upload', async () => {
    const total = 40 * MiB;
    const src = lazySource(total, () => proxy.stats.forwarded);
    const cut = setInterval(() => proxy.stats.forwarded > 8 * MiB && proxy.cutAll(), 20);
    await expect(store.put('broken/s3-gone.bin', src.stream)).rejects.toThrow();
    clearInterval(cut);
    const produced = src.state.produced;
    await new Promise((r) => setTimeout(r, 500));
    // Not read on after the failure (nor to the end), and left to the caller: the server drains
    // a request body it gave up on, so the device still gets its answer.
    expect(src.state.produced).toBe(produced);
    expect(produced).toBeLessThan(total);
    expect(src.stream.destroyed).toBe(false);
    src.stream.destroy();
  }, 120_000);
});
