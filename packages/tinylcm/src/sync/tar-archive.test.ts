import { gzipSync } from 'node:zlib';
import { TinyMLOpsError } from '@tinymlops/contracts';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { readTarGz, writeTar } from './tar-archive.js';

const limits = { maxEntries: 10, maxExtractedBytes: 1024 };

/** A tar with arbitrary headers, for archives our own writer would never produce. */
async function rawTar(entries: { name: string; type?: 'file' | 'symlink'; body?: string; linkname?: string }[]) {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const e of entries)
    pack.entry({ name: e.name, type: e.type ?? 'file', ...(e.linkname ? { linkname: e.linkname } : {}) }, e.body ?? '');
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.catch((e: unknown) => e);
  return err instanceof TinyMLOpsError ? `${err.code}: ${err.message}` : undefined;
}

describe('readTarGz', () => {
  it('reads back what writeTar wrote, in order', async () => {
    const files = [
      { path: 'manifest.json', bytes: Buffer.from('{}') },
      { path: 'drift/images/a.png', bytes: Buffer.from([1, 2, 3]) },
    ];
    expect(await readTarGz(gzipSync(await writeTar(files, new Date(0))), limits)).toEqual(files);
  });

  it('refuses path traversal, absolute paths, symlinks and duplicates', async () => {
    expect(await codeOf(readTarGz(await rawTar([{ name: '../evil' }]), limits))).toMatch(
      /INVALID_ARCHIVE: .*not a safe relative path/,
    );
    expect(await codeOf(readTarGz(await rawTar([{ name: '/etc/passwd' }]), limits))).toMatch(/INVALID_ARCHIVE/);
    const link = await rawTar([{ name: 'model.tflite', type: 'symlink', linkname: '/etc/shadow' }]);
    expect(await codeOf(readTarGz(link, limits))).toMatch(/INVALID_ARCHIVE: .*only regular files/);
    expect(await codeOf(readTarGz(await rawTar([{ name: 'a' }, { name: 'a' }]), limits))).toMatch(/appears twice/);
  });

  it('refuses archives over the entry and size limits, and bytes that are not gzip', async () => {
    const many = await rawTar(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}` })));
    expect(await codeOf(readTarGz(many, limits))).toMatch(/more than 10 entries/);
    expect(await codeOf(readTarGz(await rawTar([{ name: 'big', body: 'x'.repeat(2000) }]), limits))).toMatch(
      /INVALID_ARCHIVE/,
    );
    expect(await codeOf(readTarGz(Buffer.from('not gzip'), limits))).toMatch(/not valid gzip/);
  });
});
