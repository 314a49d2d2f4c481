import { z } from 'zod';
import { PACKAGE_LIMITS } from './package-limits.js';
import { FileEntry, Id, RelativePath, SchemaVersion1, Sequence, Timestamp } from './primitives.js';

/** Kinds of content a device package can carry; one package may carry several. */
export const PACKAGE_TYPES = [
  'drift-events',
  'metrics',
  'logs',
  'prediction-samples',
  'state-snapshot',
  'adaptation-events',
] as const;
export const PackageType = z.enum(PACKAGE_TYPES);
export type PackageType = z.infer<typeof PackageType>;

/** Inclusive range of per-device sequence numbers a package carries for one record stream. */
export const SequenceRange = z
  .strictObject({ from: Sequence, to: Sequence })
  .refine((r) => r.to >= r.from, { message: 'to must be >= from', path: ['to'] });

/**
 * `manifest.json` at the root of every package archive (a gzip'd tar).
 * `documents` names, per type, the JSON document that holds its records; `files` lists every
 * other entry of the archive with its digest, and the server checks each one.
 * @example
 * { "schemaVersion": 1, "packageId": "pkg_01J9Z2", "deviceId": "dev_8Hq2kLw0", "createdAt": "2026-11-26T10:03:00.000Z",
 *   "types": ["metrics"], "documents": { "metrics": "metrics.json" },
 *   "sequences": { "metrics": { "from": 0, "to": 59 } },
 *   "files": [{ "path": "metrics.json", "sha256": "…", "size": 4096, "mediaType": "application/json" }] }
 */
export const PackageManifest = z
  .strictObject({
    schemaVersion: SchemaVersion1,
    packageId: Id,
    deviceId: Id,
    createdAt: Timestamp,
    types: z.array(PackageType).min(1).max(PACKAGE_TYPES.length),
    documents: z.partialRecord(PackageType, RelativePath),
    sequences: z
      .partialRecord(z.enum(['metrics', 'logs', 'prediction-samples', 'adaptation-events']), SequenceRange)
      .optional(),
    files: z.array(FileEntry).min(1).max(PACKAGE_LIMITS.maxEntries),
  })
  .superRefine((m, ctx) => {
    const paths = new Set<string>();
    m.files.forEach((f, i) => {
      if (f.path === 'manifest.json')
        ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: 'manifest.json must not list itself' });
      if (paths.has(f.path))
        ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: `duplicate path ${f.path}` });
      paths.add(f.path);
    });
    if (new Set(m.types).size !== m.types.length)
      ctx.addIssue({ code: 'custom', path: ['types'], message: 'duplicate type' });
    for (const t of m.types) {
      const doc = m.documents[t];
      if (!doc) ctx.addIssue({ code: 'custom', path: ['documents', t], message: `type ${t} has no document` });
      else if (!paths.has(doc))
        ctx.addIssue({ code: 'custom', path: ['documents', t], message: `document ${doc} is not in files` });
    }
    for (const t of Object.keys(m.documents)) {
      if (!m.types.includes(t as PackageType))
        ctx.addIssue({ code: 'custom', path: ['documents', t], message: `document for undeclared type ${t}` });
    }
  });
export type PackageManifest = z.infer<typeof PackageManifest>;

/**
 * `PUT /device/v1/packages/:id` answer. `duplicate` is true when the same id and hash had
 * already been accepted (the upload was a harmless replay).
 */
export const PackageReceipt = z.strictObject({
  schemaVersion: SchemaVersion1,
  packageId: Id,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  receivedAt: Timestamp,
  duplicate: z.boolean(),
  status: z.enum(['queued', 'processing', 'ingested', 'failed']),
});
export type PackageReceipt = z.infer<typeof PackageReceipt>;
