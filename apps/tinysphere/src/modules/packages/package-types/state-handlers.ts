import { AdaptationDocument, parseOrThrow, StateSnapshotDocument } from '@tinymlops/contracts';
import { chunked, type PackageTypeHandler } from './package-type-handler.js';

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

/** Adaptation events → `adaptation_events`, deduplicated by seq. */
export const adaptationHandler: PackageTypeHandler<AdaptationDocument> = {
  type: 'adaptation-events',
  parse: (_input, doc) => parseOrThrow(AdaptationDocument, doc, 'adaptation-events document'),
  async rows(tx, items) {
    const records = items.flatMap(({ input, doc }) => doc.records.map((r) => ({ deviceId: input.deviceId, r })));
    for (const part of chunked(records)) {
      await tx
        .insertInto('adaptation_events')
        .values(
          part.map(({ deviceId, r }) => ({
            device_id: deviceId,
            seq: r.seq,
            at: r.at,
            action: r.action,
            label: r.label ?? null,
            samples: r.samples,
            state_version_before: r.stateVersionBefore,
            state_version_after: r.stateVersionAfter,
            reason: r.reason,
            metrics: r.metrics === undefined ? null : JSON.stringify(r.metrics),
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },
};
