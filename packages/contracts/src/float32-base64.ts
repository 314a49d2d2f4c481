import { z } from 'zod';

/**
 * A float32 vector on the wire: base64 of its little-endian bytes plus its dimension.
 * JSON numbers would triple the size of a 256-d feature vector and lose nothing by this encoding.
 */
export const Float32Vector = z
  .strictObject({
    encoding: z.literal('f32le-base64'),
    dim: z.number().int().positive().max(65_536),
    data: z.base64(),
  })
  .refine((v) => Math.floor((v.data.length * 3) / 4) - padding(v.data) === v.dim * 4, {
    message: 'data length does not match dim (expected dim × 4 bytes)',
    path: ['data'],
  });
export type Float32Vector = z.infer<typeof Float32Vector>;

function padding(b64: string): number {
  return b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
}

/**
 * Encodes a float vector for the wire.
 * @example
 * const v = encodeFloat32([1, 2.5]); // { encoding: 'f32le-base64', dim: 2, data: 'AACAPwAAIEA=' }
 */
export function encodeFloat32(values: ArrayLike<number>): Float32Vector {
  const f = Float32Array.from(values);
  const bytes = new Uint8Array(f.buffer);
  // Float32Array uses platform byte order; every platform Node supports is little-endian.
  return { encoding: 'f32le-base64', dim: f.length, data: Buffer.from(bytes).toString('base64') };
}

/**
 * Decodes a wire vector into a fresh Float32Array.
 * @example
 * decodeFloat32(encodeFloat32([1, 2.5])); // Float32Array [1, 2.5]
 */
export function decodeFloat32(v: Float32Vector): Float32Array {
  const buf = Buffer.from(v.data, 'base64');
  const out = new Float32Array(v.dim);
  new Uint8Array(out.buffer).set(buf.subarray(0, v.dim * 4));
  return out;
}
