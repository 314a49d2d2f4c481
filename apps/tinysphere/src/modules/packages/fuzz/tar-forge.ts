/**
 * A synchronous tar writer that writes what it is told, hostile headers included (links,
 * devices, traversal paths, lying sizes, bad checksums, pax and GNU long-name records), for the
 * ingest fuzzer. Test-only code: never reached from the server's runtime imports.
 */

const BLOCK = 512;

/** One tar entry as the fuzzer wants it written. */
export interface ForgedEntry {
  name: string;
  body?: Buffer;
  /** Typeflag: '0' file (default), '1' hard link, '2' symlink, '3'/'4' devices, '5' dir, '6' fifo, 'x' pax, 'L' GNU long name, 'g' global pax. */
  type?: string;
  linkname?: string;
  /** Size field text, when it should lie about the body; `base256` writes the body length in binary. */
  size?: string | 'base256';
  /** Write a wrong checksum. */
  badChecksum?: boolean;
  /** Write the POSIX ustar magic and this prefix (names up to 255 characters). */
  prefix?: string;
}

function field(header: Buffer, at: number, length: number, text: string): void {
  header.write(text.slice(0, length), at, length, 'utf8');
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0');
}

/** One header block plus the body padded to whole blocks. */
export function forgeEntry(e: ForgedEntry): Buffer {
  const body = e.body ?? Buffer.alloc(0);
  const h = Buffer.alloc(BLOCK);
  field(h, 0, 100, e.name);
  field(h, 100, 8, '0000644');
  field(h, 108, 8, '0000000');
  field(h, 116, 8, '0000000');
  if (e.size === 'base256') {
    h[124] = 0x80;
    h.writeUIntBE(body.length, 136 - 6, 6);
  } else field(h, 124, 12, e.size ?? octal(body.length, 12));
  field(h, 136, 12, octal(0, 12));
  field(h, 156, 1, e.type ?? '0');
  if (e.linkname) field(h, 157, 100, e.linkname);
  if (e.prefix !== undefined) {
    field(h, 257, 6, 'ustar\0');
    field(h, 263, 2, '00');
    field(h, 345, 155, e.prefix);
  }
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, `${octal(e.badChecksum ? sum + 1 : sum, 7)}\0`);
  const padded = Buffer.alloc(Math.ceil(body.length / BLOCK) * BLOCK);
  body.copy(padded);
  return Buffer.concat([h, padded]);
}

/** A pax extended header entry carrying `records` (key → value), before the entry it describes. */
export function forgePax(records: Record<string, string>, type: 'x' | 'g' = 'x'): Buffer {
  const lines = Object.entries(records).map(([k, v]) => {
    const text = ` ${k}=${v}\n`;
    const bytes = Buffer.byteLength(text);
    let len = bytes + 1;
    while (String(len).length + bytes !== len) len = String(len).length + bytes;
    return `${len}${text}`;
  });
  return forgeEntry({ name: 'PaxHeader', type, body: Buffer.from(lines.join('')) });
}

/** A whole tar: the entries, then the two zero blocks that end it. */
export function forgeTar(parts: readonly Buffer[]): Buffer {
  return Buffer.concat([...parts, Buffer.alloc(2 * BLOCK)]);
}
