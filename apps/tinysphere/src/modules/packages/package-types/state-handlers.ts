import { parseOrThrow, StateSnapshotDocument } from '@tinymlops/contracts';
import type { PackageTypeHandler } from './package-type-handler.js';

function snapshotKey(deviceId: string, version: number): string {
  return `state/${deviceId}/${version}.json`;
}

/** State snapshots: the document to a blob, its index row to `state_snapshots`. */
export const stateSnapshotHandler: PackageTypeHandler<StateSnapshotDocument> = {
  type: 'state-snapshot',
  parse: (_input, doc) => parseOrThrow(StateSnapshotDocument, doc, 'state-snapshot document'),
  async blobs(ctx, input, doc) {
    await ctx.blobs.put(snapshotKey(input.deviceId, doc.stateVersion), Buffer.from(JSON.stringify(doc)));
  },
  async rows(tx, items) {
    await tx
      .insertInto('state_snapshots')
      .values(
        items.map(({ input, doc }) => ({
          device_id: input.deviceId,
          state_version: doc.stateVersion,
          created_at: doc.createdAt,
          reason: doc.reason,
          parent_version: doc.parentVersion,
          blob_key: snapshotKey(input.deviceId, doc.stateVersion),
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  },
};

/** Adaptation events and the samples behind them: ingested by the adaptations module. */
export { adaptationHandler } from '../../adaptations/adaptation-ingest.js';
