import { randomUUID } from 'node:crypto';
import { closeSync, createWriteStream, fsync, open as openFd, renameSync, writeSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { assertBlobKey, type BlobInfo, type BlobStore, type StoredBlob } from '../blob-store.js';

const fsyncFd = promisify(fsync);
const openAsync = promisify(openFd);

/** Objects up to this size are written synchronously (see writeDurably); larger ones asynchronously. */
const SYNC_WRITE_BYTES = 8 * 1024 * 1024;

/**
 * Writes bytes to a new file and fsyncs it. For objects up to SYNC_WRITE_BYTES (segments,
 * batch blobs) write and close are synchronous on purpose: they only touch the page cache (well
 * under a millisecond), while each asynchronous step waits for a busy event loop. Opening (which
 * creates the file and so can wait for the journal behind other blobs' fsyncs: 5 % of the event
 * loop in a profile under load) and the fsync go to the threadpool. Larger objects (model
 * bundles) are written asynchronously so they do not hold up the event loop.
 */
async function writeDurably(file: string, bytes: Uint8Array): Promise<number> {
  if (bytes.length > SYNC_WRITE_BYTES) {
    const fh = await open(file, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return bytes.length;
  }
  const fd = await openAsync(file, 'w');
  try {
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
  return bytes.length;
}

async function streamDurably(file: string, body: Readable): Promise<number> {
  await pipeline(body, createWriteStream(file));
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
    return (await fh.stat()).size;
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fd = await openAsync(dir, 'r');
  await fsyncFd(fd).finally(() => closeSync(fd));
}

/**
 * Blobs as files under one directory. Writes go to a temp file in `.tmp/`, are fsync'd, renamed
 * into place and the directory fsync'd, so a crash never leaves a half-written object under its
 * real key and a put that returned survives a crash.
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
    let size: number;
    let created: string | undefined;
    try {
      size = body instanceof Uint8Array ? await writeDurably(tmp, body) : await streamDurably(tmp, body);
      try {
        renameSync(tmp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        created = await mkdir(path.dirname(target), { recursive: true });
        await rename(tmp, target);
      }
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    // A rename (and a new directory) is only durable once its parent directory is fsync'd: a
    // blob that a committed row points at must survive a crash.
    const top = created ? path.dirname(created) : path.dirname(target);
    for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
      await syncDir(dir);
      if (dir === top || dir === this.root) break;
    }
    return { key, size };
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

  async getRange(key: string, start: number, length: number): Promise<Buffer | null> {
    try {
      const fh = await open(this.file(key), 'r');
      try {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await fh.read(buf, 0, length, start);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
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

  async sweepScratch(olderThan: Date): Promise<number> {
    const tmp = path.join(this.root, '.tmp');
    let swept = 0;
    for (const name of await readdir(tmp)) {
      const s = await stat(path.join(tmp, name)).catch(() => null);
      if (!s || s.mtime >= olderThan) continue;
      await rm(path.join(tmp, name), { force: true, recursive: true });
      swept++;
    }
    return swept;
  }

  async list(prefix: string): Promise<StoredBlob[]> {
    const entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    const keys = entries
      .filter((e) => e.isFile())
      .map((e) => path.relative(this.root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .filter((k) => !k.startsWith('.tmp/') && k.startsWith(prefix))
      .sort();
    const blobs: StoredBlob[] = [];
    for (const key of keys) {
      const s = await stat(this.file(key)).catch(() => null); // deleted meanwhile
      if (s) blobs.push({ key, size: s.size, modifiedAt: s.mtime });
    }
    return blobs;
  }
}
