import type { AppContext } from '../../app-context.js';
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
 * in every process (a cache could not promise that).
 * @example
 * const ok = await new DeviceTokenCheck(ctx).verify({ id: 'dev_abc12345', secret });
 */
export class DeviceTokenCheck {
  private readonly lookups = new GroupCommit<PresentedCredential, boolean>((creds) => this.lookup(creds), {
    maxBatch: 256,
    maxInFlight: 2,
  });

  constructor(private readonly ctx: Pick<AppContext, 'db'>) {}

  /** Whether the credential is the device's current token. */
  verify(cred: PresentedCredential): Promise<boolean> {
    return this.lookups.submit(cred);
  }

  private async lookup(creds: readonly PresentedCredential[]): Promise<boolean[]> {
    const rows = await this.ctx.db
      .selectFrom('devices')
      .select(['id', 'token_hash'])
      .where('id', 'in', [...new Set(creds.map((c) => c.id))])
      .execute();
    const hashes = new Map(rows.map((r) => [r.id, r.token_hash]));
    return creds.map((c) => {
      const stored = hashes.get(c.id);
      return stored !== undefined && sameHash(stored, hashSecret(c.secret));
    });
  }
}
