import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BundleBuildSettings, parseOrThrow, TinyMLOpsError } from '@tinymlops/contracts';
import type { BuildBundleOptions } from '@tinymlops/tinylcm';
import { packBundleDirectory } from '../models/bundle-packing.js';

/**
 * True when the folder is a bare model: `model.tflite`, `labels.txt` and an `examples/` folder.
 * @example
 * isBareModel(new Map([['model.tflite', m], ['labels.txt', l], ['examples/bag/1.png', png]])); // true
 */
export function isBareModel(files: Map<string, Buffer>): boolean {
  return (
    files.has('model.tflite') && files.has('labels.txt') && [...files.keys()].some((p) => p.startsWith('examples/'))
  );
}

/**
 * The TinySphere id of a registered MLflow model: its name lower-cased, with runs of other
 * characters turned into `-` (`Fashion_MNV2` → `fashion-mnv2`).
 * @example
 * modelIdOf('Fashion_MNV2'); // 'fashion-mnv2'
 */
export function modelIdOf(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) {
    throw new TinyMLOpsError(
      'VALIDATION_FAILED',
      `the MLflow model name "${name}" gives no usable TinySphere model id`,
    );
  }
  return id;
}

/**
 * Builds a bundle from a bare model folder with the bundle builder (the same code as
 * `tinysphere bundle build`), using `build.json` (BundleBuildSettings) when the folder has one. The
 * bundle is `<model id>@<MLflow version>.0.0`. Returns the registry archive.
 * @example
 * const tgz = await buildFromBareModel('fashion', '4', files);
 */
export async function buildFromBareModel(name: string, version: string, files: Map<string, Buffer>): Promise<Buffer> {
  const settingsBytes = files.get('build.json');
  const settings = settingsBytes
    ? parseOrThrow(BundleBuildSettings, parseJson(settingsBytes), `build.json of ${name} version ${version}`)
    : {};
  const dir = await mkdtemp(path.join(tmpdir(), 'tinysphere-build-'));
  try {
    for (const [p, body] of files) {
      if (p !== 'model.tflite' && p !== 'labels.txt' && !p.startsWith('examples/')) continue;
      await mkdir(path.dirname(path.join(dir, 'in', p)), { recursive: true });
      await writeFile(path.join(dir, 'in', p), body);
    }
    const { buildBundle } = await import('@tinymlops/tinylcm');
    // exactOptionalPropertyTypes: absent settings must be absent keys, not `undefined` values.
    const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    await buildBundle({
      ...(defined as Partial<BuildBundleOptions>),
      modelFile: path.join(dir, 'in', 'model.tflite'),
      labelsFile: path.join(dir, 'in', 'labels.txt'),
      examplesDir: path.join(dir, 'in', 'examples'),
      outDir: path.join(dir, 'bundle'),
      id: modelIdOf(name),
      version: `${version}.0.0`,
      description: settings.description ?? `built by TinySphere from MLflow model ${name} version ${version}`,
    });
    return await packBundleDirectory(path.join(dir, 'bundle'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new TinyMLOpsError('VALIDATION_FAILED', `build.json is not valid JSON: ${(e as Error).message}`);
  }
}
