import { TinyMLOpsError, type EnrolmentRequest, type EnrolmentResponse } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { hashSecret, issueCredential, newId, sameHash } from './credentials.js';
import { REVOKED_DIGEST } from './tokens.js';

/**
 * Whether an enrolled hardwareId may be enrolled again: by the device that holds its device key
 * (it lost its token, e.g. a crash before it saved the answer), or by anyone once an admin has
 * revoked its credentials. A hardwareId alone proves nothing (viewers see it), so without either
 * the enrolment is a 409 and the enrolled device keeps its token.
 */
function assertMayReenrol(device: { id: string; token_hash: string; key_hash: string | null }, req: EnrolmentRequest) {
  if (device.token_hash === REVOKED_DIGEST) return;
  if (device.key_hash && req.deviceKey && sameHash(device.key_hash, hashSecret(req.deviceKey))) return;
  throw new TinyMLOpsError(
    'CONFLICT',
    `hardwareId ${req.hardwareId} is already enrolled as ${device.id}; only that device (with its device key) can ` +
      `enrol it again, or an admin first revokes its credentials (DELETE /api/v1/devices/${device.id}/credentials)`,
  );
}

/**
 * Enrols a device: spends one use of the enrolment token and issues a device token. The same
 * hardwareId keeps its deviceId and gets a new token (the old one stops working), but only for the
 * device holding its device key or after a revocation (see assertMayReenrol).
 * @example
 * const r = await enrolDevice(ctx, { schemaVersion: 1, enrolmentToken: 'tet_…', hardwareId: 'pi-1', platform });
 */
export async function enrolDevice(ctx: AppContext, req: EnrolmentRequest): Promise<EnrolmentResponse> {
  const now = ctx.now();
  return ctx.db.transaction().execute(async (tx) => {
    if (req.enrolmentToken !== ctx.config.demoEnrolmentToken) {
      const spent = await tx
        .updateTable('enrolment_tokens')
        .set((eb) => ({
          uses_left: eb
            .case()
            .when('uses_left', 'is', null)
            .then(null)
            .else(eb('uses_left', '-', 1))
            .end(),
        }))
        .where('token_hash', '=', hashSecret(req.enrolmentToken))
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .where((eb) => eb.or([eb('uses_left', 'is', null), eb('uses_left', '>', 0)]))
        .executeTakeFirst();
      if (spent.numUpdatedRows === 0n) {
        throw new TinyMLOpsError('ENROLMENT_TOKEN_INVALID', 'the enrolment token is unknown, expired or used up');
      }
    }
    const existing = await tx
      .selectFrom('devices')
      .select(['id', 'token_hash', 'key_hash'])
      .where('hardware_id', '=', req.hardwareId)
      .forUpdate()
      .executeTakeFirst();
    if (existing) assertMayReenrol(existing, req);
    const deviceId = existing?.id ?? newId('dev');
    const { token, hash } = issueCredential('tdv', deviceId);
    // After a revocation the old key (which a stolen device still holds) guards nothing any more.
    const keyHash = req.deviceKey === undefined ? null : hashSecret(req.deviceKey);
    if (existing) {
      await tx
        .updateTable('devices')
        .set({ token_hash: hash, key_hash: keyHash, platform: JSON.stringify(req.platform) })
        .where('id', '=', deviceId)
        .execute();
    } else {
      const inserted = await tx
        .insertInto('devices')
        .values({
          id: deviceId,
          hardware_id: req.hardwareId,
          name: req.name ?? req.hardwareId,
          tags: JSON.stringify(req.tags ?? []),
          group_name: null,
          location: null,
          platform: JSON.stringify(req.platform),
          token_hash: hash,
          key_hash: keyHash,
          enrolled_at: now,
          last_seen_at: null,
          status: null,
          mode: null,
          model_id: null,
          model_version: null,
          state_version: null,
          uptime_seconds: null,
          metrics: null,
        })
        // Two first enrolments of one hardwareId at once: the second finds the first's row here.
        .onConflict((oc) => oc.column('hardware_id').doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows === 0n)
        throw new TinyMLOpsError('CONFLICT', `hardwareId ${req.hardwareId} was enrolled concurrently; enrol again`);
    }
    return {
      schemaVersion: 1,
      deviceId,
      deviceToken: token,
      serverTime: now.toISOString(),
      heartbeatIntervalSeconds: ctx.config.heartbeatIntervalSeconds,
    };
  });
}
