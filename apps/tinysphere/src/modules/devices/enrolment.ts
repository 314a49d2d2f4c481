import { TinyMLOpsError, type EnrolmentRequest, type EnrolmentResponse } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { hashSecret, issueCredential, newId } from './credentials.js';

/**
 * Enrols a device: spends one use of the enrolment token and issues a device token. The same
 * hardwareId keeps its deviceId and gets a new token (the old one stops working).
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
      .select('id')
      .where('hardware_id', '=', req.hardwareId)
      .executeTakeFirst();
    const deviceId = existing?.id ?? newId('dev');
    const { token, hash } = issueCredential('tdv', deviceId);
    if (existing) {
      await tx
        .updateTable('devices')
        .set({ token_hash: hash, platform: JSON.stringify(req.platform) })
        .where('id', '=', deviceId)
        .execute();
    } else {
      await tx
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
        .execute();
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
