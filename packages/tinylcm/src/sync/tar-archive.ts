import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { RelativePath, TinyMLOpsError } from '@tinymlops/contracts';
import tar, { type Header } from 'tar-stream';

const gunzipAsync = promisify(gunzip);

/** One regular file of a tar archive. */
export interface TarFile {
  path: string;
  bytes: Buffer;
}

/** Bounds on what {@link readTarGz} accepts, so a hostile or corrupt archive cannot fill the disk. */
export interface TarLimits {
  maxEntries: number;
  maxExtractedBytes: number;
}

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
 * Reads a gzip'd tar into memory, in archive order. Rejects (`INVALID_ARCHIVE`) anything but
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
  const files: TarFile[] = [];
  const seen = new Set<string>();
  let total = 0;
  const extract = tar.extract();
  extract.end(raw);
  try {
    for await (const entry of extract) {
      const problem = entryProblem(entry.header, seen, files.length, limits);
      if (problem) throw new TinyMLOpsError('INVALID_ARCHIVE', problem);
      const parts: Buffer[] = [];
      for await (const chunk of entry) {
        total += (chunk as Buffer).length;
        if (total > limits.maxExtractedBytes)
          throw new TinyMLOpsError(
            'INVALID_ARCHIVE',
            `archive extracts to more than ${limits.maxExtractedBytes} bytes`,
          );
        parts.push(chunk as Buffer);
      }
      seen.add(entry.header.name);
      files.push({ path: entry.header.name, bytes: Buffer.concat(parts) });
    }
  } catch (err) {
    extract.destroy();
    if (err instanceof TinyMLOpsError) throw err;
    throw new TinyMLOpsError('INVALID_ARCHIVE', `corrupt tar: ${(err as Error).message}`, { cause: err });
  }
  return files;
}

function entryProblem(header: Header, seen: Set<string>, count: number, limits: TarLimits): string | undefined {
  if (header.type !== 'file') return `entry ${header.name} is a ${header.type}, only regular files are allowed`;
  if (!RelativePath.safeParse(header.name).success)
    return `entry path ${JSON.stringify(header.name)} is not a safe relative path`;
  if (seen.has(header.name)) return `entry ${header.name} appears twice`;
  if (count + 1 > limits.maxEntries) return `archive has more than ${limits.maxEntries} entries`;
  return undefined;
}
