import { describe, expect, it } from 'vitest';

describe('toEqual on byte arrays (byte-equality-setup.ts)', () => {
  it('holds for the same bytes and fails on one byte changed, also inside objects', () => {
    const big = Buffer.alloc(8 << 20, 7);
    const other = Buffer.from(big);
    expect(other).toEqual(big);
    other[5 << 20] = 8;
    expect(other).not.toEqual(big);
    expect({ body: Buffer.from('abc') }).toEqual({ body: Buffer.from('abc') });
    expect({ body: Buffer.from('abc') }).not.toEqual({ body: Buffer.from('abd') });
    expect(new Uint8Array([1, 2])).not.toEqual(new Uint8Array([1, 2, 3]));
  });

  it('leaves other typed arrays and mixed types to vitest', () => {
    expect(new Float32Array([1, Number.NaN])).toEqual(new Float32Array([1, Number.NaN]));
    expect(new Float32Array([1, 2])).not.toEqual(new Float32Array([1, 3]));
    expect(Buffer.from([1, 2])).not.toStrictEqual(new Uint8Array([1, 2]));
  });
});
