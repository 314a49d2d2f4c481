import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { TinyMLOpsError } from '@tinymlops/contracts';

/**
 * Canonical JSON: object keys sorted recursively (by UTF-16 code units, JavaScript's default sort),
 * no whitespace, array order kept, strings and numbers as `JSON.stringify` writes them (shortest
 * round-trip numbers). For the ASCII keys and finite numbers of our documents this is the same byte
 * string as RFC 8785 (JCS), so other languages can reproduce it.
 * @example
 * canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] }); // '{"a":[true,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TinyMLOpsError('VALIDATION_FAILED', `canonical JSON cannot encode the number ${value}`);
  }
  return JSON.stringify(value);
}

/** The bytes an ed25519 bundle signature covers: canonical JSON of `bundle.json` minus `signature`. */
export function bundleSigningBytes(manifest: Record<string, unknown>): Buffer {
  const { signature: _omit, ...rest } = manifest;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/**
 * Signs a bundle manifest (a plain JSON object) and returns it with its `signature` field set.
 * @example
 * const { privateKey } = generateKeyPairSync('ed25519');
 * fs.writeFileSync('bundle.json', JSON.stringify(signBundleManifest(manifest, privateKey, 'release-2026'), null, 2));
 */
export function signBundleManifest<M extends Record<string, unknown>>(
  manifest: M,
  privateKey: KeyObject,
  keyId: string,
): M & { signature: { algorithm: 'ed25519'; keyId: string; value: string } } {
  const value = sign(null, bundleSigningBytes(manifest), privateKey).toString('base64');
  return { ...manifest, signature: { algorithm: 'ed25519', keyId, value } };
}

/** A public key as a KeyObject or PEM text. */
export type PublicKeyInput = KeyObject | string;

/**
 * Verifies the ed25519 signature of a raw `bundle.json` object against the trusted keys.
 * Throws `INVALID_BUNDLE` for an unknown key id or a signature that does not verify.
 * @example
 * verifyBundleSignature(JSON.parse(text), { 'release-2026': publicKeyPem }, 'fashion-mnv2');
 */
export function verifyBundleSignature(
  manifest: Record<string, unknown>,
  trustedKeys: Readonly<Record<string, PublicKeyInput>>,
  bundleName: string,
): void {
  const sig = manifest['signature'] as { keyId?: string; value?: string } | undefined;
  if (!sig?.keyId || !sig.value)
    throw new TinyMLOpsError('INVALID_BUNDLE', `bundle ${bundleName}: bundle.json is not signed`);
  const key = trustedKeys[sig.keyId];
  if (key === undefined) {
    throw new TinyMLOpsError('INVALID_BUNDLE', `bundle ${bundleName}: signed with unknown key "${sig.keyId}"`);
  }
  const publicKey = typeof key === 'string' ? createPublicKey(key) : key;
  const ok = verify(null, bundleSigningBytes(manifest), publicKey, Buffer.from(sig.value, 'base64'));
  if (!ok) {
    throw new TinyMLOpsError(
      'INVALID_BUNDLE',
      `bundle ${bundleName}: the ed25519 signature (key "${sig.keyId}") does not verify`,
    );
  }
}

/**
 * A new ed25519 key pair for signing bundles, as PEM text: PKCS#8 private key (keep it secret),
 * SPKI public key (give it to servers and devices as a trusted key). Same format as
 * `openssl genpkey -algorithm ed25519`.
 * @example
 * const { privateKeyPem, publicKeyPem } = generateBundleKeyPair();
 * const trusted = { 'release-2026': publicKeyPem };
 */
export function generateBundleKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
