import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleManifest, parseOrThrow, TinyMLOpsError } from '@tinymlops/contracts';
import { packFiles } from '../packages/archive-writer.js';

/**
 * Packs a bundle directory (bundle.json + the files it lists) into the tar.gz the registry
 * takes. Only listed files go in, so stray files in the directory are never uploaded.
 * @example
 * const bytes = await packBundleDirectory('models/fashion-mnv2');
 */
export async function packBundleDirectory(dir: string): Promise<Buffer> {
  let raw: Buffer;
  try {
    raw = await readFile(path.join(dir, 'bundle.json'));
  } catch (err) {
    throw new TinyMLOpsError('INVALID_BUNDLE', `${dir} has no bundle.json`, { cause: err });
  }
  const manifest = parseOrThrow(BundleManifest, JSON.parse(raw.toString('utf8')), `${dir}/bundle.json`);
  const files: [string, Buffer][] = [['bundle.json', raw]];
  for (const f of manifest.files) files.push([f.path, await readFile(path.join(dir, ...f.path.split('/')))]);
  return packFiles(files);
}
