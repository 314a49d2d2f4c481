import { expect } from 'vitest';

/**
 * vitest setup file of every project: `toEqual` on two byte arrays compares their bytes at once.
 * vitest's generic comparison walks a Buffer as an object with one key per byte; a 6 MiB upload
 * compared that way took 43 s on a quiet machine and minutes on a busy one. Same constructor and
 * same bytes are equal; two `Uint8Array`s (or Buffers) with other bytes are not; anything else
 * (other typed arrays that differ: NaN and -0 follow vitest's own rules) is left to vitest.
 */
expect.addEqualityTesters([
  function sameBytes(a: unknown, b: unknown): boolean | undefined {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return undefined;
    const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    if (x.equals(y)) return true;
    return a instanceof Uint8Array ? false : undefined;
  },
]);
