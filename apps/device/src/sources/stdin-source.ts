import type { Readable } from 'node:stream';
import type { FrameSource, SourceFrame } from './frame-source.js';

/**
 * Raw frames on stdin: back-to-back `width × height × channels` byte blocks (HWC, 8 bit), e.g. from
 * `ffmpeg -f v4l2 -i /dev/video0 -f rawvideo -pix_fmt rgb24 -s 320x240 -`.
 * @example
 * stdinSource({ width: 320, height: 240, channels: 3 }, process.stdin);
 */
export function stdinSource(o: { width: number; height: number; channels: 1 | 3 }, input: Readable): FrameSource {
  const size = o.width * o.height * o.channels;
  const frames = async function* (): AsyncIterable<SourceFrame> {
    let buf = Buffer.alloc(0);
    for await (const chunk of input) {
      buf = Buffer.concat([buf, chunk as Buffer]);
      while (buf.length >= size) {
        yield {
          frame: {
            data: new Uint8Array(buf.subarray(0, size)),
            width: o.width,
            height: o.height,
            channels: o.channels,
          },
        };
        buf = buf.subarray(size);
      }
    }
  };
  // Destroying the stream ends a read that waits for a producer that will never write again.
  return { name: 'stdin', frames, close: async () => void input.destroy() };
}
