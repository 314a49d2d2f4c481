import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, type BlobInfo, type BlobStore } from '../blob-store.js';

/**
 * Blobs as files under one directory. Writes go to a temp file in `.tmp/`, are fsync'd and then
 * renamed into place, so a crash never leaves a half-written object under its real key.
 * @example
 * const blobs = await FsBlobStore.open('./.tinymlops/blobs');
 */
export class FsBlobStore implements BlobStore {
  private constructor(private readonly root: string) {}

  static async open(root: string): Promise<FsBlobStore> {
    await mkdir(path.join(root, '.tmp'), { recursive: true });
    return new FsBlobStore(path.resolve(root));
  }

  private file(key: string): string {
    assertBlobKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Readable | Uint8Array): Promise<BlobInfo> {
    const target = this.file(key);
    const tmp = path.join(this.root, '.tmp', randomUUID());
    try {
      await pipeline(body instanceof Uint8Array ? Readable.from([body]) : body, createWriteStream(tmp));
      const fh = await open(tmp, 'r+');
      await fh.sync().finally(() => fh.close());
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { key, size: (await stat(target)).size };
  }

  async get(key: string): Promise<Readable | null> {
    const file = this.file(key);
    try {
      const fh = await open(file, 'r');
      return fh.createReadStream();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async head(key: string): Promise<BlobInfo | null> {
    try {
      const s = await stat(this.file(key));
      return s.isFile() ? { key, size: s.size } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => path.relative(this.root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .filter((k) => !k.startsWith('.tmp/') && k.startsWith(prefix))
      .sort();
  }
}
