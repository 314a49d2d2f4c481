import { gunzipSync } from 'node:zlib';
import { TinyMLOpsError } from '@tinymlops/contracts';

/** An IDX array (the MNIST / Fashion-MNIST file format): dimensions and the uint8 data. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX file of unsigned bytes (magic `00 00 08 <ndims>`, big-endian uint32 dimensions,
 * then the values), gzipped or not. Throws `VALIDATION_FAILED` naming `what` for anything else.
 * @example
 * const images = parseIdx(await readFile('sample-images-idx3-ubyte.gz'), 'sample-images-idx3-ubyte.gz');
 * images.dims; // [2000, 28, 28]
 */
export function parseIdx(bytes: Uint8Array, what: string): IdxArray {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : Buffer.from(bytes);
  const bad = (problem: string) => new TinyMLOpsError('VALIDATION_FAILED', `${what}: ${problem}`);
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) throw bad('not an IDX file (bad magic number)');
  if (raw[2] !== 0x08) throw bad(`holds type 0x${(raw[2] ?? 0).toString(16)}; only unsigned bytes (0x08) are read`);
  const ndims = raw[3] ?? 0;
  const offset = 4 + 4 * ndims;
  if (ndims === 0 || raw.length < offset) throw bad('truncated header');
  const dims = Array.from({ length: ndims }, (_, i) => raw.readUInt32BE(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (raw.length - offset !== size) throw bad(`expected ${size} bytes of data, found ${raw.length - offset}`);
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + offset, size) };
}
