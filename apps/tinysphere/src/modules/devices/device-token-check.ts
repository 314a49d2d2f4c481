import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';
import type { DeviceUsage } from '../packages/device-quota.js';
import { GroupCommit } from '../../storage/group-commit.js';
import { hashSecret, sameHash } from './credentials.js';

/** A device credential as a request presents it (see parseCredential). */
export interface PresentedCredential {
  readonly id: string;
  readonly secret: string;
}

/**
 * Checks device tokens against the database in batches: the checks that arrive while one
 * lookup is running go together in the next, one `WHERE id IN (…)` for all of them. Under load
 * that takes one round trip off nearly every device request (32 concurrent uploads cost one
 * lookup, not 32), and it changes nothing about what a check sees: every answer comes from a
 * read made after the request arrived, so a revoked or re-enrolled device is refused at once,
 * in every process (a cache could not promise that). The same lookup reads the device's quota
 * counters, so checking an upload against its quotas costs no query of its own.
 * @example
 * const usage = await new DeviceTokenCheck(ctx).verify({ id: 'dev_abc12345', secret }); // null: not valid
 */
export class DeviceTokenCheck {
  private readonly lookups = new GroupCommit<PresentedCredential, DeviceUsage | null>((creds) => this.lookup(creds), {
    maxBatch: 256,
    maxInFlight: 2,
  });

  constructor(private readonly ctx: Pick<AppContext, 'db'>) {}

  /** The device's quota counters when the credential is its current token, else null. */
  verify(cred: PresentedCredential): Promise<DeviceUsage | null> {
    return this.lookups.submit(cred);
  }

  private async lookup(creds: readonly PresentedCredential[]): Promise<(DeviceUsage | null)[]> {
    const rows = await this.ctx.db
      .selectFrom('devices as d')
      .leftJoin('device_usage as u', 'u.device_id', 'd.id')
      .select([
        'd.id',
        'd.token_hash',
        sql<number | null>`u.stored_bytes::float8`.as('stored'),
        sql<number | null>`u.pending_bytes::float8`.as('pending'),
        sql<string | null>`u.day::text`.as('day'),
        'u.day_packages',
      ])
      .where('d.id', 'in', [...new Set(creds.map((c) => c.id))])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return creds.map((c) => {
      const r = byId.get(c.id);
      if (!r || !sameHash(r.token_hash, hashSecret(c.secret))) return null;
      return { storedBytes: r.stored ?? 0, pendingBytes: r.pending ?? 0, day: r.day, dayPackages: r.day_packages ?? 0 };
    });
  }
}
