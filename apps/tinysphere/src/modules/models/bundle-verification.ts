import { createPublicKey, verify } from 'node:crypto';
import { BundleManifest, parseOrThrow, TinyMLOpsError } from '@tinymlops/contracts';
import { verifyFiles, type ArchiveEntries } from '../packages/archive-reader.js';

/**
 * The bytes a bundle signature covers: `bundle.json` without `signature`, as JSON with object
 * keys sorted at every level and no whitespace.
 * @example
 * canonicalBundleBytes({ b: 1, a: [1, { d: 2, c: 3 }] }).toString(); // '{"a":[1,{"c":3,"d":2}],"b":1}'
 */
export function canonicalBundleBytes(manifest: object): Buffer {
  const { signature: _omit, ...rest } = manifest as Record<string, unknown>;
  return Buffer.from(JSON.stringify(sortKeys(rest)));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

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
  const pem = trustedKeys[sig.keyId];
  if (!pem) throw new TinyMLOpsError('INVALID_BUNDLE', `bundle signed with unknown key ${sig.keyId}`);
  const ok = verify(null, canonicalBundleBytes(json as object), createPublicKey(pem), Buffer.from(sig.value, 'base64'));
  if (!ok) throw new TinyMLOpsError('INVALID_BUNDLE', `bundle signature does not verify with key ${sig.keyId}`);
  return { manifest, signedBy: sig.keyId };
}
