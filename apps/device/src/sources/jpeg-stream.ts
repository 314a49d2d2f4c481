/**
 * Splits a concatenated MJPEG byte stream (what `ffmpeg -f mjpeg -` writes) into JPEG images at
 * their end-of-image markers (FF D9), keeping at most `maxFrameBytes` buffered.
 * @example
 * for await (const jpeg of splitJpegStream(child.stdout)) handle(jpeg);
 */
export async function* splitJpegStream(
  stream: AsyncIterable<Buffer | Uint8Array>,
  maxFrameBytes = 16 * 1024 * 1024,
): AsyncIterable<Uint8Array> {
  let buf = Buffer.alloc(0);
  for await (const chunk of stream) {
    buf = Buffer.concat([buf, Buffer.from(chunk)]);
    for (;;) {
      const start = buf.indexOf(Buffer.from([0xff, 0xd8]));
      if (start < 0) {
        buf = Buffer.alloc(0);
        break;
      }
      const end = buf.indexOf(Buffer.from([0xff, 0xd9]), start + 2);
      if (end < 0) {
        buf = buf.subarray(start);
        if (buf.length > maxFrameBytes) buf = Buffer.alloc(0); // garbage, not a frame: resync
        break;
      }
      yield new Uint8Array(buf.subarray(start, end + 2));
      buf = buf.subarray(end + 2);
    }
  }
}
