import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBlob, type BlobStore } from '../blob-store.js';
import { FsBlobStore } from './fs.js';
import { S3BlobStore } from './s3.js';

interface Harness {
  store: BlobStore;
  stop(): Promise<void>;
}

async function fsHarness(): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'blobs-'));
  return { store: await FsBlobStore.open(dir), stop: () => rm(dir, { recursive: true, force: true }) };
}

async function s3Harness(): Promise<Harness> {
  const dir = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const admin = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  await admin.send(new CreateBucketCommand({ Bucket: 'tinymlops' }));
  admin.destroy();
  const store = new S3BlobStore({ bucket: 'tinymlops', endpoint, region: 'us-east-1', prefix: 'conf/', credentials });
  return {
    store,
    stop: async () => {
      await store.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe.each([
  ['fs', fsHarness],
  ['s3 (s3rver)', s3Harness],
])('BlobStore conformance: %s', (_name, make) => {
  let h: Harness;
  beforeAll(async () => {
    h = await make();
  });
  afterAll(() => h.stop());

  it('puts bytes and gets the same bytes back, with head reporting the size', async () => {
    const bytes = Buffer.from('hello blob');
    expect(await h.store.put('a/b/one.bin', bytes)).toEqual({ key: 'a/b/one.bin', size: bytes.length });
    expect(await readBlob(h.store, 'a/b/one.bin')).toEqual(bytes);
    expect(await h.store.head('a/b/one.bin')).toEqual({ key: 'a/b/one.bin', size: bytes.length });
  });

  it('puts a stream of several chunks', async () => {
    const chunks = [Buffer.alloc(70_000, 1), Buffer.alloc(70_000, 2)];
    await h.store.put('s/stream.bin', Readable.from(chunks));
    expect(await readBlob(h.store, 's/stream.bin')).toEqual(Buffer.concat(chunks));
  });

  it('reads byte ranges', async () => {
    await h.store.put('r/range.bin', Buffer.from('0123456789'));
    expect((await h.store.getRange('r/range.bin', 3, 4))?.toString()).toBe('3456');
    expect(await h.store.getRange('r/missing', 0, 1)).toBeNull();
  });

  it('overwrites atomically and reports missing keys as null', async () => {
    await h.store.put('o/x', Buffer.from('1'));
    await h.store.put('o/x', Buffer.from('22'));
    expect((await readBlob(h.store, 'o/x'))?.toString()).toBe('22');
    expect(await h.store.get('o/missing')).toBeNull();
    expect(await h.store.head('o/missing')).toBeNull();
  });

  it('lists by prefix, sorted, and deletes (deleting twice is fine)', async () => {
    await h.store.put('l/2', Buffer.from('b'));
    await h.store.put('l/1', Buffer.from('a'));
    await h.store.put('lx/3', Buffer.from('c'));
    const before = Date.now();
    const listed = await h.store.list('l/');
    expect(listed.map((b) => [b.key, b.size])).toEqual([
      ['l/1', 1],
      ['l/2', 1],
    ]);
    for (const b of listed) expect(Math.abs(b.modifiedAt.getTime() - before)).toBeLessThan(60_000);
    await h.store.delete('l/1');
    await h.store.delete('l/1');
    expect((await h.store.list('l/')).map((b) => b.key)).toEqual(['l/2']);
  });

  it('rejects keys that could escape the store', async () => {
    await expect(h.store.put('../evil', Buffer.from('x'))).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(h.store.get('/abs')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

describe('FsBlobStore scratch space', () => {
  it('sweeps temp files of interrupted writes once older than the cut-off, never blobs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'blobs-scratch-'));
    try {
      const store = await FsBlobStore.open(dir);
      await store.put('kept/blob', Buffer.from('x'));
      const stale = path.join(dir, '.tmp', 'interrupted-write');
      await writeFile(stale, 'half a blob');
      expect(await store.sweepScratch(new Date(Date.now() - 3_600_000))).toBe(0); // too fresh
      expect(await store.sweepScratch(new Date(Date.now() + 60_000))).toBe(1);
      await expect(stat(stale)).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await store.list('')).map((b) => b.key)).toEqual(['kept/blob']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
