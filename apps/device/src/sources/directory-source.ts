import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { decodeImage } from '@tinymlops/tinylcm';
import type { FrameSource, SourceFrame } from './frame-source.js';

const IMAGE = /\.(jpe?g|png|webp)$/i;

/**
 * Frames from the images in a folder, in name order; `loop` starts over at the end.
 * An undecodable file is skipped with a warning, not a crash.
 * @example
 * const src = directorySource('/srv/frames', { loop: true });
 */
export function directorySource(dir: string, o: { loop: boolean; warn?: (msg: string) => void }): FrameSource {
  const frames = async function* (): AsyncIterable<SourceFrame> {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => IMAGE.test(n)).sort();
    } catch (cause) {
      throw new TinyMLOpsError('NOT_FOUND', `image folder ${dir} cannot be read: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (!names.length) throw new TinyMLOpsError('NOT_FOUND', `image folder ${dir} holds no .jpg, .png or .webp files`);
    do {
      for (const name of names) {
        try {
          yield { frame: await decodeImage(new Uint8Array(await readFile(path.join(dir, name)))) };
        } catch (err) {
          o.warn?.(`skipping ${name}: ${(err as Error).message}`);
        }
      }
    } while (o.loop);
  };
  return { name: `directory:${dir}`, frames, close: async () => {} };
}
