import { z } from 'zod';

/**
 * The versioned, JSON-safe snapshot of any drift detector: what the state store persists, what
 * sync uploads and what the server's re-analysis restores.
 * @example
 * { "kind": "page-hinkley", "schemaVersion": 1, "options": { "threshold": 50 }, "state": { "n": 10 } }
 */
export const DetectorSnapshot = z.strictObject({
  kind: z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a kebab-case detector kind'),
  schemaVersion: z.number().int().positive(),
  options: z.record(z.string(), z.unknown()),
  state: z.record(z.string(), z.unknown()),
});
export type DetectorSnapshot = z.infer<typeof DetectorSnapshot>;
