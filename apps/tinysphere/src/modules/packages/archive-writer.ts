import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/**
 * Packs regular files into a gzip'd tar, in the given order (the first is read first).
 * @example
 * const tgz = await packFiles([['bundle.json', json], ['model.tflite', model]]);
 */
export async function packFiles(files: readonly [name: string, body: Buffer][]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const [name, body] of files) pack.entry({ name, size: body.length, mtime: new Date(0) }, body);
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}
