import {
  TinyMLOpsError,
  type ApiRole,
  type DeviceCredentialRevocation,
  type EnrolmentTokenResponse,
  type TokenRevocation,
} from '@tinymlops/contracts';
import { sql } from 'kysely';
import type { Db } from '../../storage/database.js';
import { hashSecret, issueCredential, newId, newSecret } from './credentials.js';

/**
 * Creates an enrolment token: `uses` null = unlimited, `expiresInSeconds` null = never.
 * @example
 * const t = await createEnrolmentToken(db, { uses: 10, expiresInSeconds: 7 * 86400 }, new Date());
 */
export async function createEnrolmentToken(
  db: Db,
  opts: { uses: number | null; expiresInSeconds: number | null },
  now: Date,
): Promise<EnrolmentTokenResponse> {
  const tokenId = newId('enr');
  const token = `tet_${newSecret()}`;
  const expiresAt = opts.expiresInSeconds === null ? null : new Date(now.getTime() + opts.expiresInSeconds * 1000);
  await db
    .insertInto('enrolment_tokens')
    .values({ id: tokenId, token_hash: hashSecret(token), uses_left: opts.uses, expires_at: expiresAt })
    .execute();
  return {
    schemaVersion: 1,
    tokenId,
    enrolmentToken: token,
    usesLeft: opts.uses,
    expiresAt: expiresAt?.toISOString() ?? null,
  };
}

/**
 * Creates an API token for a person or a script.
 * @example
 * const { apiToken } = await createApiToken(db, 'ci', 'engineer');
 */
export async function createApiToken(db: Db, name: string, role: ApiRole) {
  const tokenId = newId('tok');
  const { token, hash } = issueCredential('tap', tokenId);
  await db.insertInto('api_tokens').values({ id: tokenId, name, role, token_hash: hash, revoked_at: null }).execute();
  return { schemaVersion: 1 as const, tokenId, name, role, apiToken: token };
}

/**
 * Revokes an API token: it stops authenticating at once. Revoking again answers with the first
 * revocation's time. Throws NOT_FOUND for an unknown id.
 * @example
 * const { revokedAt } = await revokeApiToken(db, 'tok_0001aaaa', new Date());
 */
export async function revokeApiToken(db: Db, tokenId: string, now: Date): Promise<TokenRevocation> {
  const row = await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, ${now})` })
    .where('id', '=', tokenId)
    .returning('revoked_at')
    .executeTakeFirst();
  if (!row?.revoked_at) throw new TinyMLOpsError('NOT_FOUND', `API token ${tokenId} does not exist`);
  return { schemaVersion: 1, tokenId, revokedAt: new Date(row.revoked_at).toISOString() };
}

/**
 * Revokes an enrolment token: no further device can enrol with it (devices already enrolled keep
 * their own credentials). It is used up and expires now; revoking again changes nothing.
 * @example
 * await revokeEnrolmentToken(db, 'enr_0001aaaa', new Date());
 */
export async function revokeEnrolmentToken(db: Db, tokenId: string, now: Date): Promise<TokenRevocation> {
  const row = await db
    .updateTable('enrolment_tokens')
    .set({ uses_left: 0, expires_at: sql<Date>`least(coalesce(expires_at, ${now}), ${now})` })
    .where('id', '=', tokenId)
    .returning('expires_at')
    .executeTakeFirst();
  if (!row?.expires_at) throw new TinyMLOpsError('NOT_FOUND', `enrolment token ${tokenId} does not exist`);
  return { schemaVersion: 1, tokenId, revokedAt: new Date(row.expires_at).toISOString() };
}

/** A stored token digest no secret hashes to (digests are 64 hex characters). */
export const REVOKED_DIGEST = 'revoked';

/**
 * Revokes a device's credential: its token fails from now on (heartbeats, uploads, feedback), and
 * the device gets in again only by enrolling with a valid enrolment token. Its data stays.
 * Throws NOT_FOUND for an unknown device.
 * @example
 * await revokeDeviceCredentials(db, 'dev_8Hq2kLw0', new Date()); // a stolen camera is locked out
 */
export async function revokeDeviceCredentials(
  db: Db,
  deviceId: string,
  now: Date,
): Promise<DeviceCredentialRevocation> {
  const row = await db
    .updateTable('devices')
    .set({ token_hash: REVOKED_DIGEST })
    .where('id', '=', deviceId)
    .returning('id')
    .executeTakeFirst();
  if (!row) throw new TinyMLOpsError('NOT_FOUND', `device ${deviceId} does not exist`);
  return { schemaVersion: 1, deviceId, revokedAt: now.toISOString() };
}
