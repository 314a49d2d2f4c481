import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { TinyMLOpsError } from '@tinymlops/contracts';
import tar from 'tar-stream';
import { readTar, type TarFile, type TarLimits } from './tar-reader.js';

const gunzipAsync = promisify(gunzip);

/**
 * Writes regular files into an (uncompressed) tar, in the given order, with a fixed mtime so the
 * same files always give the same bytes.
 * @example
 * const tarBytes = await writeTar([{ path: 'manifest.json', bytes: Buffer.from('{}') }], new Date(0));
 */
export async function writeTar(files: readonly TarFile[], mtime: Date): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const f of files) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: f.path, size: f.bytes.length, mtime, mode: 0o644, type: 'file' }, f.bytes, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * Reads a gzip'd tar into memory, in archive order (see readTar). Rejects (`INVALID_ARCHIVE`) anything but
 * regular files with safe relative paths, duplicate paths, and archives over `limits`.
 * @example
 * const [first] = await readTarGz(archive, PACKAGE_LIMITS); // first.path === 'manifest.json'
 */
export async function readTarGz(archive: Uint8Array, limits: TarLimits): Promise<TarFile[]> {
  let raw: Buffer;
  try {
    // Headers and padding add up to ~1 KiB per entry on top of the file bytes.
    raw = await gunzipAsync(archive, { maxOutputLength: limits.maxExtractedBytes + (limits.maxEntries + 2) * 1024 });
  } catch (cause) {
    throw new TinyMLOpsError('INVALID_ARCHIVE', 'archive is not valid gzip or is too large', { cause });
  }
  return readTar(raw, limits);
}
