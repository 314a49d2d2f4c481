import { mkdtemp, rm } from 'node:fs/promises';
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
    expect(await h.store.list('l/')).toEqual(['l/1', 'l/2']);
    await h.store.delete('l/1');
    await h.store.delete('l/1');
    expect(await h.store.list('l/')).toEqual(['l/2']);
  });

  it('rejects keys that could escape the store', async () => {
    await expect(h.store.put('../evil', Buffer.from('x'))).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(h.store.get('/abs')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
