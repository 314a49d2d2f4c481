import { setTimeout as sleep } from 'node:timers/promises';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { decodeImage } from '@tinymlops/tinylcm';
import type { FrameSource, SourceFrame } from './frame-source.js';
import { splitJpegStream } from './jpeg-stream.js';
import { startShellCommand, type ShellCommand } from './shell-command.js';

/** Options of {@link cameraSource}. */
export interface CameraSourceOptions {
  /** Shell command that writes JPEG to stdout, e.g. `rpicam-still -n -t 1 -o -` or an ffmpeg MJPEG pipe. */
  command: string;
  /** `per-frame`: run the command once per frame; `mjpeg-stream`: run it once and split its stream. */
  mode: 'per-frame' | 'mjpeg-stream';
  /** Give up on one capture after this long (default 10 s). */
  timeoutMs?: number;
  /** Wait after a failed capture before the next (default 1 s: a broken camera must not spin the CPU). */
  retryMs?: number;
  warn?: (msg: string) => void;
}

/**
 * Frames from a camera command (rpicam-still / libcamera-still per frame, or ffmpeg on V4L2 as an
 * MJPEG stream). A failed capture is reported and retried; inference goes on. `close()` kills the
 * running command (its whole process group) at once, so a hanging camera never holds up shutdown.
 * @example
 * cameraSource({ command: 'ffmpeg -f v4l2 -i /dev/video0 -f mjpeg -q:v 5 -', mode: 'mjpeg-stream' });
 */
export function cameraSource(o: CameraSourceOptions): FrameSource {
  const closed = new AbortController();
  const running = new Set<ShellCommand>();
  const start = (stderr: boolean) => {
    const cmd = startShellCommand(o.command, { stderr });
    running.add(cmd);
    cmd.child.once('close', () => running.delete(cmd));
    return cmd;
  };
  const perFrame = async function* (): AsyncIterable<SourceFrame> {
    while (!closed.signal.aborted) {
      try {
        yield { frame: await decodeImage(await captureOnce(start(true), o.timeoutMs ?? 10_000)) };
      } catch (err) {
        if (closed.signal.aborted) return;
        o.warn?.(`camera capture failed: ${(err as Error).message}`);
        await sleep(o.retryMs ?? 1000, undefined, { signal: closed.signal }).catch(() => undefined);
      }
    }
  };
  const stream = async function* (): AsyncIterable<SourceFrame> {
    const cmd = start(false);
    for await (const jpeg of splitJpegStream(cmd.stdout)) {
      try {
        yield { frame: await decodeImage(jpeg) };
      } catch (err) {
        o.warn?.(`skipping an undecodable MJPEG frame: ${(err as Error).message}`);
      }
    }
    if (!closed.signal.aborted) throw new TinyMLOpsError('UNAVAILABLE', `camera stream ended: ${o.command}`);
  };
  return {
    name: `camera:${o.mode}`,
    frames: o.mode === 'per-frame' ? perFrame : stream,
    close: async () => {
      closed.abort();
      const exits = [...running].map((cmd) => new Promise((resolve) => cmd.child.once('close', resolve)));
      for (const cmd of running) cmd.kill();
      await Promise.all(exits); // reaped before the device exits: no zombie left behind
    },
  };
}

/** Reads one JPEG from a per-frame capture command; kills it after `timeoutMs`. */
function captureOnce(cmd: ShellCommand, timeoutMs: number): Promise<Uint8Array> {
  const { child, stdout } = cmd;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => cmd.kill(), timeoutMs);
    stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-500)));
    child.on('error', (e) => reject(e));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && chunks.length) return resolve(new Uint8Array(Buffer.concat(chunks)));
      const how = signal ? `was killed (${signal})` : `exited with ${code}`;
      reject(new Error(`the capture command ${how}${stderr ? `: ${stderr.trim()}` : ''}`));
    });
  });
}
