import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TinyMLOpsError } from '@tinymlops/contracts';
import tar, { type Header } from 'tar-stream';

type Headers = Partial<Header> & Pick<Header, 'name'>;
import { afterAll, describe, expect, it } from 'vitest';
import { writeTar } from './tar-archive.js';
import { readTar } from './tar-reader.js';

const limits = { maxEntries: 20, maxExtractedBytes: 1 << 20 };

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof TinyMLOpsError ? `${err.code}: ${err.message}` : `not a TinyMLOpsError: ${String(err)}`;
  }
  return 'no error';
}

/** A tar written by tar-stream with arbitrary headers (pax long names included). */
async function packed(entries: Headers[], bodies: string[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  entries.forEach((h, i) => pack.entry(h, bodies[i] ?? ''));
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const work = mkdtempSync(path.join(tmpdir(), 'tar-reader-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('readTar', () => {
  it('reads what writeTar wrote, in order, as views of the input', async () => {
    const files = [
      { path: 'manifest.json', bytes: Buffer.from('{"a":1}') },
      { path: 'drift/images/a.png', bytes: Buffer.alloc(700, 7) },
      { path: 'empty', bytes: Buffer.alloc(0) },
    ];
    const raw = await writeTar(files, new Date(0));
    const read = readTar(raw, limits);
    expect(read).toEqual(files);
    expect(read[1]?.bytes.buffer).toBe(raw.buffer);
  });

  it('reads long names from pax headers and ustar prefixes', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(90)}.json`;
    const raw = await packed([{ name: long }, { name: `${'p'.repeat(150)}/short.txt` }], ['x', 'y']);
    expect(readTar(raw, limits).map((f) => [f.path, f.bytes.toString()])).toEqual([
      [long, 'x'],
      [`${'p'.repeat(150)}/short.txt`, 'y'],
    ]);
  });

  it('reads archives made by the system tar (GNU, pax, ustar), skipping directories', () => {
    const src = path.join(work, 'src');
    const deep = path.join(src, 'drift', 'x'.repeat(110));
    mkdirSync(deep, { recursive: true });
    writeFileSync(path.join(src, 'manifest.json'), '{}');
    writeFileSync(path.join(deep, 'a.bin'), Buffer.alloc(1500, 3));
    for (const format of ['gnu', 'posix', 'ustar']) {
      const members = format === 'ustar' ? ['manifest.json'] : ['manifest.json', 'drift'];
      const raw = execFileSync('tar', ['-c', `--format=${format}`, '-C', src, ...members]);
      const read = readTar(raw, limits).map((f) => [f.path, f.bytes.length]);
      const expected = [['manifest.json', 2]];
      if (format !== 'ustar') expected.push([`drift/${'x'.repeat(110)}/a.bin`, 1500]);
      expect(read.sort(), format).toEqual(expected.sort());
    }
  });

  it('refuses links, devices, unsafe paths, duplicates and directories with content', async () => {
    const cases: [Headers[], RegExp][] = [
      [[{ name: 'm', type: 'symlink', linkname: '/etc/shadow' }], /m is a symlink; only regular files/],
      [[{ name: 'm', type: 'link', linkname: 'other' }], /m is a link; only regular files/],
      [[{ name: 'dev', type: 'character-device' }], /dev is a character-device/],
      [[{ name: '../evil' }], /INVALID_ARCHIVE: entry path "..\/evil" is not a safe relative path/],
      [[{ name: '/etc/passwd' }], /not a safe relative path/],
      [[{ name: 'a' }, { name: 'a' }], /entry a appears twice/],
    ];
    for (const [headers, message] of cases) {
      const raw = await packed(headers, []);
      expect(errorOf(() => readTar(raw, limits))).toMatch(message);
    }
    const dir = await packed([{ name: 'd/', type: 'directory' }], []);
    dir.write('00000001000\0', 124, 'latin1'); // size 512 …
    dir.write('00000000', 148, 'latin1'); // … and a checksum to match
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (dir[i] ?? 0);
    dir.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect(errorOf(() => readTar(Buffer.concat([dir.subarray(0, 512), Buffer.alloc(1536)]), limits))).toMatch(
      /d\/ is a directory; only regular files/,
    );
  });

  it('refuses bad checksums, truncated entries, and archives over the limits', async () => {
    const good = await packed([{ name: 'a' }, { name: 'b' }], ['x'.repeat(600), 'y']);
    const badSum = Buffer.from(good);
    badSum[0] = 'z'.charCodeAt(0);
    expect(errorOf(() => readTar(badSum, limits))).toMatch(/bad header checksum at byte 0/);
    expect(errorOf(() => readTar(good.subarray(0, 900), limits))).toMatch(/entry at byte 0 is truncated/);
    expect(errorOf(() => readTar(good.subarray(0, 1536 + 100), limits))).toMatch(/stray bytes/);
    expect(errorOf(() => readTar(good, { maxEntries: 1, maxExtractedBytes: 1 << 20 }))).toMatch(/more than 1 entries/);
    expect(errorOf(() => readTar(good, { maxEntries: 5, maxExtractedBytes: 600 }))).toMatch(/more than 600 bytes/);
    expect(readTar(Buffer.alloc(0), limits)).toEqual([]);
  });
});
