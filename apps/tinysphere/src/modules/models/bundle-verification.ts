import { BundleManifest, parseOrThrow, TinyMLOpsError } from '@tinymlops/contracts';
import { verifyBundleSignature } from '@tinymlops/tinylcm';
import { verifyFiles, type ArchiveEntries } from '../packages/archive-reader.js';

/**
 * Validates `bundle.json`, checks every listed file's size and sha256, and verifies the ed25519
 * signature against the trusted key of its keyId (required when `requireSigned`).
 * @returns the manifest and the keyId that signed it (null when unsigned).
 */
export function verifyBundle(
  entries: ArchiveEntries,
  trustedKeys: Record<string, string>,
  requireSigned: boolean,
): { manifest: BundleManifest; signedBy: string | null } {
  const raw = entries.get('bundle.json');
  if (!raw) throw new TinyMLOpsError('INVALID_BUNDLE', 'the bundle has no bundle.json at its root');
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new TinyMLOpsError('INVALID_BUNDLE', 'bundle.json is not valid JSON', { cause: err });
  }
  const manifest = parseOrThrow(BundleManifest, json, 'bundle.json');
  try {
    verifyFiles(entries, manifest.files, 'bundle.json');
  } catch (err) {
    if (err instanceof TinyMLOpsError) throw new TinyMLOpsError('INVALID_BUNDLE', err.message, { cause: err });
    throw err;
  }
  const sig = manifest.signature;
  if (!sig) {
    if (requireSigned) throw new TinyMLOpsError('INVALID_BUNDLE', 'this server accepts only signed bundles');
    return { manifest, signedBy: null };
  }
  // The device verifies with the same function: one canonical form, one implementation.
  verifyBundleSignature(json as Record<string, unknown>, trustedKeys, `${manifest.id}@${manifest.version}`);
  return { manifest, signedBy: sig.keyId };
}
