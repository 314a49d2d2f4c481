import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { directorySource } from './directory-source.js';
import { splitJpegStream } from './jpeg-stream.js';
import { stdinSource } from './stdin-source.js';
import type { FrameSource, SourceFrame } from './frame-source.js';

async function take(src: FrameSource, n: number): Promise<SourceFrame[]> {
  const out: SourceFrame[] = [];
  for await (const f of src.frames()) {
    out.push(f);
    if (out.length === n) break;
  }
  return out;
}

const jpeg = (v: number) =>
  sharp({ create: { width: 8, height: 6, channels: 3, background: { r: v, g: v, b: v } } })
    .jpeg()
    .toBuffer();

describe('splitJpegStream', () => {
  it('splits concatenated JPEGs delivered in arbitrary chunks and skips garbage between them', async () => {
    const a = await jpeg(10);
    const b = await jpeg(200);
    const all = Buffer.concat([Buffer.from('junk'), a, b]);
    const chunks = async function* () {
      for (let i = 0; i < all.length; i += 7) yield all.subarray(i, i + 7);
    };
    const frames: Uint8Array[] = [];
    for await (const f of splitJpegStream(chunks())) frames.push(f);
    expect(frames.map((f) => Buffer.from(f).equals(a) || Buffer.from(f).equals(b))).toEqual([true, true]);
  });
});

describe('stdinSource', () => {
  it('cuts raw frames of width × height × channels bytes, whatever the chunking', async () => {
    const input = new PassThrough();
    const src = stdinSource({ width: 2, height: 2, channels: 3 }, input);
    const bytes = Buffer.from(Array.from({ length: 24 }, (_, i) => i));
    input.write(bytes.subarray(0, 5));
    input.write(bytes.subarray(5));
    input.end();
    const frames = await take(src, 2);
    expect(frames.map((f) => Array.from(f.frame.data))).toEqual([
      Array.from(bytes.subarray(0, 12)),
      Array.from(bytes.subarray(12)),
    ]);
  });
});

describe('directorySource', () => {
  it('reads images in name order, skips undecodable files and loops when asked', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'frames-'));
    await writeFile(path.join(dir, 'b.jpg'), await jpeg(200));
    await writeFile(path.join(dir, 'a.jpg'), await jpeg(10));
    await writeFile(path.join(dir, 'c.png'), 'not an image');
    const warnings: string[] = [];
    const frames = await take(directorySource(dir, { loop: true, warn: (m) => warnings.push(m) }), 4);
    expect(frames.map((f) => (f.frame.data[0] ?? 0) < 100)).toEqual([true, false, true, false]);
    expect(warnings[0]).toMatch(/skipping c\.png/);
  });

  it('fails clearly on an empty or missing folder', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'frames-'));
    await expect(take(directorySource(empty, { loop: false }), 1)).rejects.toThrow(/holds no \.jpg/);
    await expect(take(directorySource('/nonexistent', { loop: false }), 1)).rejects.toThrow(/cannot be read/);
  });
});
