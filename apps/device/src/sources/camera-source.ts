import { spawn } from 'node:child_process';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { decodeImage } from '@tinymlops/tinylcm';
import type { FrameSource, SourceFrame } from './frame-source.js';
import { splitJpegStream } from './jpeg-stream.js';

/** Options of {@link cameraSource}. */
export interface CameraSourceOptions {
  /** Shell command that writes JPEG to stdout, e.g. `rpicam-still -n -t 1 -o -` or an ffmpeg MJPEG pipe. */
  command: string;
  /** `per-frame`: run the command once per frame; `mjpeg-stream`: run it once and split its stream. */
  mode: 'per-frame' | 'mjpeg-stream';
  /** Give up on one capture after this long (default 10 s). */
  timeoutMs?: number;
  warn?: (msg: string) => void;
}

/**
 * Frames from a camera command (rpicam-still / libcamera-still per frame, or ffmpeg on V4L2 as an
 * MJPEG stream). A failed capture is reported and retried on the next frame; inference goes on.
 * @example
 * cameraSource({ command: 'ffmpeg -f v4l2 -i /dev/video0 -f mjpeg -q:v 5 -', mode: 'mjpeg-stream' });
 */
export function cameraSource(o: CameraSourceOptions): FrameSource {
  let child: ReturnType<typeof spawn> | undefined;
  const perFrame = async function* (): AsyncIterable<SourceFrame> {
    for (;;) {
      try {
        yield { frame: await decodeImage(await captureOnce(o.command, o.timeoutMs ?? 10_000)) };
      } catch (err) {
        o.warn?.(`camera capture failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000)); // a broken camera must not spin the CPU
      }
    }
  };
  const stream = async function* (): AsyncIterable<SourceFrame> {
    child = spawn('sh', ['-c', o.command], { stdio: ['ignore', 'pipe', 'ignore'] });
    if (!child.stdout) throw new TinyMLOpsError('UNAVAILABLE', `camera command has no stdout: ${o.command}`);
    for await (const jpeg of splitJpegStream(child.stdout)) {
      try {
        yield { frame: await decodeImage(jpeg) };
      } catch (err) {
        o.warn?.(`skipping an undecodable MJPEG frame: ${(err as Error).message}`);
      }
    }
    throw new TinyMLOpsError('UNAVAILABLE', `camera stream ended: ${o.command}`);
  };
  return {
    name: `camera:${o.mode}`,
    frames: o.mode === 'per-frame' ? perFrame : stream,
    close: async () => void child?.kill('SIGTERM'),
  };
}

function captureOnce(command: string, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-500)));
    child.on('error', (e) => reject(e));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && chunks.length) resolve(new Uint8Array(Buffer.concat(chunks)));
      else reject(new Error(`"${command}" exited with ${code}${stderr ? `: ${stderr.trim()}` : ''}`));
    });
  });
}
