import { FleetLearningPolicy } from '@tinymlops/contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database.js';

const KEY = 'fleet-learning-policy';

/** Until someone sets one: labels stay on their own device; a device takes at most 200 shared samples. */
export const DEFAULT_FLEET_POLICY: FleetLearningPolicy = {
  schemaVersion: 1,
  defaultScope: { scope: 'device' },
  budgetPerDevice: 200,
};

/**
 * The server's fleet-learning policy (the default scope of a validation, the per-device budget).
 * @example
 * const { budgetPerDevice } = await fleetPolicy(ctx.db);
 */
export async function fleetPolicy(db: Kysely<Database>): Promise<FleetLearningPolicy> {
  const row = await db.selectFrom('server_settings').select('value').where('key', '=', KEY).executeTakeFirst();
  return row ? FleetLearningPolicy.parse(row.value) : DEFAULT_FLEET_POLICY;
}

/** Replaces the policy. */
export async function setFleetPolicy(db: Kysely<Database>, policy: FleetLearningPolicy): Promise<void> {
  const value = JSON.stringify(policy);
  await db
    .insertInto('server_settings')
    .values({ key: KEY, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
