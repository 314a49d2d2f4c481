import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Length of a base64url-encoded 32-byte secret. */
const SECRET_LENGTH = 43;

/** sha256 hex of a secret; the only form in which the server keeps credentials. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of two sha256 hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A fresh random secret (32 bytes, base64url). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A random id with a prefix, e.g. `dev_Xk3…` (12 base62-ish characters). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
}

/**
 * Builds a credential of the form `<kind>_<id>_<secret>` (`tdv_` device tokens, `tap_` API
 * tokens). The id comes first so the server finds the row without scanning; the secret has a
 * fixed length because ids and base64url secrets may both contain `_`.
 * @example
 * const { token, hash } = issueCredential('tdv', 'dev_abc12345');
 */
export function issueCredential(kind: 'tdv' | 'tap', id: string): { token: string; hash: string } {
  const secret = newSecret();
  return { token: `${kind}_${id}_${secret}`, hash: hashSecret(secret) };
}

/** Splits a credential into its id and secret, or null when it has the wrong shape. */
export function parseCredential(kind: 'tdv' | 'tap', token: string): { id: string; secret: string } | null {
  const prefix = `${kind}_`;
  if (!token.startsWith(prefix) || token.length < prefix.length + 9 + SECRET_LENGTH) return null;
  const secret = token.slice(-SECRET_LENGTH);
  const id = token.slice(prefix.length, -SECRET_LENGTH - 1);
  if (token[token.length - SECRET_LENGTH - 1] !== '_' || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) return null;
  return { id, secret };
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1] ?? null;
}
