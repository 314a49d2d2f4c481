import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { BundleManifest } from '@tinymlops/contracts';
import { writeTar } from '@tinymlops/tinylcm';

/**
 * Packs a bundle directory (bundle.json + every file it lists, nothing else) into the tar.gz the
 * registry's `POST /api/v1/models/bundles` takes.
 * @example
 * const tgz = await packBundle('models/fashion-mnv2');
 */
export async function packBundle(dir: string): Promise<Buffer> {
  const raw = await readFile(path.join(dir, 'bundle.json'));
  const manifest = BundleManifest.parse(JSON.parse(raw.toString('utf8')));
  const files = [{ path: 'bundle.json', bytes: raw }];
  for (const f of manifest.files) files.push({ path: f.path, bytes: await readFile(path.join(dir, f.path)) });
  return gzipSync(await writeTar(files, new Date(0)));
}

/**
 * Copies a bundle to `to` as another version, recomputing every file hash. `corruptModel`
 * scrambles model.tflite (with a matching hash): a bundle that verifies but cannot run, to test
 * a device's rollback.
 * @example
 * await rebuildBundle('models/fashion-mnv2', '/tmp/b110', { version: '1.1.0' });
 */
export async function rebuildBundle(
  from: string,
  to: string,
  o: { version: string; corruptModel?: boolean },
): Promise<BundleManifest> {
  await cp(from, to, { recursive: true });
  const manifest = BundleManifest.parse(JSON.parse(await readFile(path.join(to, 'bundle.json'), 'utf8')));
  manifest.version = o.version;
  manifest.createdAt = new Date().toISOString();
  delete manifest.signature;
  if (o.corruptModel) {
    const file = path.join(to, manifest.model.path);
    const bytes = await readFile(file);
    // Keep the size, break the flatbuffer: the loader's check inference must fail on it.
    for (let i = 0; i < bytes.length; i += 7) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
    await writeFile(file, bytes);
  }
  for (const f of manifest.files) {
    const bytes = await readFile(path.join(to, f.path));
    f.sha256 = createHash('sha256').update(bytes).digest('hex');
    f.size = bytes.length;
  }
  await writeFile(path.join(to, 'bundle.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
