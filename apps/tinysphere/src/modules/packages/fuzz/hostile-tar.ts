/**
 * Hostile tar archives for the fuzzer: links, devices, traversal paths, duplicates, lying sizes,
 * bad checksums, pax and GNU long-name records, too many entries, compression bombs. Test-only code.
 */
import { gzipSync } from 'node:zlib';
import type { FuzzRng } from './fuzz-rng.js';
import { entriesOf, manifestOf, sha, type Spec } from './seed-packages.js';
import { forgeEntry, forgePax, forgeTar, type ForgedEntry } from './tar-forge.js';

export const gz = (tar: Buffer) => gzipSync(tar, { level: 1 });
export const tarOf = (entries: ForgedEntry[]) => forgeTar(entries.map(forgeEntry));

/** Hostile tar structures a device might send instead of (or beside) its files. */
export function hostileEntries(rng: FuzzRng, spec: Spec): ForgedEntry[] {
  const entries = entriesOf(spec);
  const name = rng.pick([
    '../../../../tmp/fuzz-escape',
    '/etc/passwd',
    'a/../../b',
    './manifest.json',
    'drift/../../x',
    'x\0y',
    '',
    'a'.repeat(300),
    'manifest.json/',
    '..',
  ]);
  const body = Buffer.from('payload');
  const recipes: (() => ForgedEntry[])[] = [
    () => [...entries, { name, body }],
    () => [
      { name, type: rng.pick(['1', '2']), linkname: rng.pick(['/etc/passwd', '../../x', 'manifest.json']) },
      ...entries,
    ],
    () => [...entries, { name: 'dev', type: rng.pick(['3', '4', '6', '7']) }],
    () => [{ name: 'drift', type: '5', ...(rng.chance(0.5) ? { body } : {}) }, ...entries],
    () => [...entries, entries[0]!], // manifest twice
    () => [
      ...entries.slice(0, -1),
      { ...entries.at(-1)!, size: rng.pick(['77777777777', '0', '1', '-1', 'zzz', 'base256']) },
    ],
    () => [...entries.slice(0, 1), { ...entries[1]!, badChecksum: true }, ...entries.slice(2)],
    () => [...entries, { name: 'x', body: rng.bytes(rng.int(3000)) }],
    () => [...entries, { name: name.slice(0, 100), prefix: rng.pick(['..', '/abs', 'ok/dir', '../..']), body }],
    () => MANY_ENTRIES,
  ];
  return rng.pick(recipes)();
}

/** A tar with pax or GNU long-name records in front of an entry (traversal, lying sizes). */
export function metaTar(rng: FuzzRng, spec: Spec): Buffer {
  const entries = entriesOf(spec).map(forgeEntry);
  const path = rng.pick(['../../escape', '/abs/path', 'manifest.json', 'ok/' + 'd'.repeat(200), 'a\0b']);
  const meta = rng.pick([
    () => forgePax({ path }),
    () => forgePax({ size: rng.pick(['-5', '1e30', 'abc', '99999999999', '0']) }),
    () => forgePax({ path }, 'g'),
    () => forgeEntry({ name: '././@LongLink', type: 'L', body: Buffer.from(`${path}\0`) }),
    () => forgeEntry({ name: 'PaxHeader', type: 'x', body: rng.bytes(rng.int(100)) }),
  ])();
  const at = rng.int(entries.length + 1);
  return forgeTar([...entries.slice(0, at), meta, ...entries.slice(at)]);
}

/** More entries than a package may have (2,000); the same for every case that uses it. */
export const MANY_ENTRIES: ForgedEntry[] = Array.from({ length: 2100 }, (_, i) => ({
  name: `f${i}`,
  body: Buffer.alloc(0),
}));

const BOMB_SIZES = [64, 128, 256, 512].map((k) => k * 1024);
const bombMembers = new Map<number, Buffer>();

/**
 * A package whose listed image is all zeros (compression ratio far beyond the limit), with a
 * true size and hash. The zeros go in a gzip member of their own, made once per size: gunzip
 * reads concatenated members as one stream, so the package is its other entries' member
 * followed by that one.
 */
export function bomb(rng: FuzzRng, spec: Spec): Buffer {
  const size = rng.pick(BOMB_SIZES);
  const zeros = Buffer.alloc(size);
  const path = 'drift/images/bomb.png';
  const manifest = manifestOf(spec) as { files: unknown[] };
  manifest.files.push({ path, sha256: zeroSha(size), size, mediaType: 'image/png' });
  const head = entriesOf(spec, manifest).map(forgeEntry);
  let member = bombMembers.get(size);
  if (!member) bombMembers.set(size, (member = gz(forgeTar([forgeEntry({ name: path, body: zeros })]))));
  return Buffer.concat([gz(Buffer.concat(head)), member]);
}

const zeroShas = new Map<number, string>();
function zeroSha(size: number): string {
  let h = zeroShas.get(size);
  if (!h) zeroShas.set(size, (h = sha(Buffer.alloc(size))));
  return h;
}
