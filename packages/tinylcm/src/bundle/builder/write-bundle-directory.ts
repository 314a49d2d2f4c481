import { createHash, type KeyObject } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleManifest, parseOrThrow, TinyMLOpsError } from '@tinymlops/contracts';
import { signBundleManifest } from '../bundle-signature.js';

/** A file to put into a bundle, with the media type `bundle.json` lists for it. */
export interface BundleFile {
  path: string;
  bytes: Uint8Array;
  mediaType: string;
}

/** `bundle.json` without `files` and `signature`: what the builder decides; hashes are computed here. */
export type BundleManifestDraft = Omit<BundleManifest, 'files' | 'signature'>;

/**
 * Computes the size and sha256 of every file, validates the manifest against the contract, signs
 * it when a key is given (ed25519, `bundle-signature.ts`), and returns `bundle.json`'s object.
 * @example
 * const manifest = finishManifest(draft, files, { privateKey, keyId: 'release-2026' });
 */
export function finishManifest(
  draft: BundleManifestDraft,
  files: readonly BundleFile[],
  sign?: { privateKey: KeyObject; keyId: string },
): BundleManifest {
  const listed = files.map((f) => ({
    path: f.path,
    sha256: createHash('sha256').update(f.bytes).digest('hex'),
    size: f.bytes.length,
    mediaType: f.mediaType,
  }));
  const manifest = parseOrThrow(BundleManifest, { ...draft, files: listed }, 'the built bundle.json');
  return sign ? (signBundleManifest(manifest, sign.privateKey, sign.keyId) as BundleManifest) : manifest;
}

/**
 * Writes a bundle directory: every file, then `bundle.json` last (a directory without it is not a
 * bundle, so an interrupted write is never mistaken for one). Refuses a non-empty directory unless
 * `overwrite` is set.
 * @example
 * await writeBundleDirectory('build/fashion', manifest, files);
 */
export async function writeBundleDirectory(
  dir: string,
  manifest: BundleManifest,
  files: readonly BundleFile[],
  options: { overwrite?: boolean } = {},
): Promise<void> {
  await checkOutputFolder(dir, options.overwrite ?? false);
  await mkdir(dir, { recursive: true });
  for (const f of files) {
    await mkdir(path.dirname(path.join(dir, f.path)), { recursive: true });
    await writeFile(path.join(dir, f.path), f.bytes);
  }
  await writeFile(path.join(dir, 'bundle.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Throws `CONFLICT` when `dir` exists and is not empty (unless `overwrite`): called before a long
 * build, so a mistake costs nothing.
 * @example
 * await checkOutputFolder('build/fashion', false);
 */
export async function checkOutputFolder(dir: string, overwrite: boolean): Promise<void> {
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.length > 0 && !overwrite) {
    throw new TinyMLOpsError('CONFLICT', `${dir}: the output folder is not empty (use --force to overwrite it)`);
  }
}

/** A JSON document as bundle file bytes. */
export function jsonFile(filePath: string, value: unknown): BundleFile {
  return { path: filePath, bytes: Buffer.from(`${JSON.stringify(value)}\n`), mediaType: 'application/json' };
}
