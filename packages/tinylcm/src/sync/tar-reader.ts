import { RelativePath, TinyMLOpsError } from '@tinymlops/contracts';

/** One regular file of a tar archive. */
export interface TarFile {
  path: string;
  bytes: Buffer;
}

/** Bounds on what a tar may hold, so a hostile or corrupt archive cannot fill memory. */
export interface TarLimits {
  maxEntries: number;
  maxExtractedBytes: number;
}

const BLOCK = 512;

/** Entry types other than regular files, by typeflag, for the error a person reads. */
const TYPE_NAMES: Record<string, string> = {
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  '7': 'contiguous-file',
};

function invalid(message: string): TinyMLOpsError {
  return new TinyMLOpsError('INVALID_ARCHIVE', message);
}

/**
 * Reads an uncompressed tar that is already in memory, synchronously and without copying file
 * bytes (each file is a view of `raw`). Accepts ustar, pax (`path`, `size`) and GNU long-name
 * entries; rejects (`INVALID_ARCHIVE`) anything but regular files and empty directories, paths
 * that are absolute or contain `..`, duplicate paths, bad header checksums, truncated entries
 * and archives over `limits`. Stops at the first zero block (end of archive).
 * @example
 * const [manifest] = readTar(gunzipSync(archive), { maxEntries: 100, maxExtractedBytes: 1 << 20 });
 */
export function readTar(raw: Buffer, limits: TarLimits): TarFile[] {
  const files: TarFile[] = [];
  const seen = new Set<string>();
  let total = 0;
  let at = 0;
  let next: { path?: string; size?: number } = {};
  while (at + BLOCK <= raw.length) {
    const header = raw.subarray(at, at + BLOCK);
    if (isZero(header)) return files;
    checkSum(header, at);
    const type = String.fromCharCode(header[156] ?? 0);
    const meta = type === 'x' || type === 'L' || type === 'g';
    const size = (meta ? undefined : next.size) ?? octal(header.subarray(124, 136), at);
    const start = at + BLOCK;
    if (start + size > raw.length) throw invalid(`corrupt tar: the entry at byte ${at} is truncated`);
    const data = raw.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L') {
      next = type === 'x' ? paxOverrides(data) : { ...next, path: cString(data) };
      continue;
    }
    const path = next.path ?? headerPath(header);
    next = {};
    if (type === 'g') continue;
    const dir = type === '5';
    if (!RelativePath.safeParse(dir ? path.replace(/\/+$/, '') : path).success)
      throw invalid(`entry path ${JSON.stringify(path)} is not a safe relative path (absolute or contains "..")`);
    if (dir && size === 0) continue;
    if (type !== '0' && type !== '\0')
      throw invalid(
        `entry ${path} is a ${TYPE_NAMES[type] ?? `type ${JSON.stringify(type)} entry`}; only regular files are allowed`,
      );
    if (seen.has(path)) throw invalid(`entry ${path} appears twice`);
    if (files.length + 1 > limits.maxEntries) throw invalid(`archive has more than ${limits.maxEntries} entries`);
    total += size;
    if (total > limits.maxExtractedBytes)
      throw invalid(`archive extracts to more than ${limits.maxExtractedBytes} bytes`);
    seen.add(path);
    files.push({ path, bytes: data });
  }
  if (at < raw.length) throw invalid(`corrupt tar: ${raw.length - at} stray bytes after the last entry`);
  return files;
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** The header checksum: the byte sum with the checksum field read as spaces. */
function checkSum(header: Buffer, at: number): void {
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += header[i] ?? 0;
  if (sum !== octal(header.subarray(148, 156), at)) throw invalid(`corrupt tar: bad header checksum at byte ${at}`);
}

/** A numeric field: octal text (NUL- or space-terminated), or base-256 when its top bit is set. */
function octal(field: Buffer, at: number): number {
  if ((field[0] ?? 0) & 0x80) {
    let n = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] ?? 0);
    return n;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  if (!/^[0-7]*$/.test(text)) throw invalid(`corrupt tar: bad numeric field at byte ${at}`);
  return text === '' ? 0 : parseInt(text, 8);
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end === -1 ? bytes.length : end);
}

/** The name, with the ustar prefix when the header is POSIX ustar. */
function headerPath(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const ustar = header.toString('latin1', 257, 263) === 'ustar\0';
  const prefix = ustar ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** The `path` and `size` records of a pax extended header ("<len> <key>=<value>\n" each). */
function paxOverrides(data: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const len = space === -1 ? NaN : Number(data.toString('latin1', at, space));
    if (!Number.isInteger(len) || len <= 0 || at + len > data.length) throw invalid('corrupt tar: bad pax header');
    const record = data.toString('utf8', space + 1, at + len - 1);
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    if (key === 'path') out.path = record.slice(eq + 1);
    if (key === 'size') out.size = Number(record.slice(eq + 1));
    at += len;
  }
  if (out.size !== undefined && !(Number.isSafeInteger(out.size) && out.size >= 0))
    throw invalid('corrupt tar: bad pax size');
  return out;
}
