import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../../storage/database.js';

/** A package by its primary key. */
export interface PackageRef {
  readonly deviceId: string;
  readonly packageId: string;
}

/**
 * `device/package`: how a package is keyed in maps and sets.
 * @example
 * packageKey({ deviceId: 'dev_1', packageId: 'pkg_1' }); // 'dev_1/pkg_1'
 */
export function packageKey(p: PackageRef): string {
  return `${p.deviceId}/${p.packageId}`;
}

/** {@link packageKey} of a `packages` row. */
export function rowKey(r: { device_id: string; package_id: string }): string {
  return `${r.device_id}/${r.package_id}`;
}

/**
 * `WHERE (device_id, package_id) IN (…)` over `packages`, for a batch's packages.
 * @example
 * await db.selectFrom('packages').selectAll().where(packageIn(batch)).execute();
 */
export function packageIn(refs: readonly PackageRef[]) {
  return (eb: ExpressionBuilder<Database, 'packages'>) =>
    eb(
      eb.refTuple('device_id', 'package_id'),
      'in',
      refs.map((r) => eb.tuple(r.deviceId, r.packageId)),
    );
}
