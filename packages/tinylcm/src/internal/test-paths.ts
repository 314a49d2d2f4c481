import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `packages/tinylcm/src/internal/test-paths.ts`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * A file under `../shared/reference-artifacts/tinymlops-poc/` (the prototype's models), or undefined
 * when that checkout is absent so tests can `describe.skipIf`. `TINYMLOPS_SHARED` overrides the
 * location for clones that do not sit next to `shared/` (e.g. git worktrees in a sub-folder).
 * @example
 * const model = referenceArtifact('scenario2/model_object.tflite');
 * describe.skipIf(!model)('the prototype model', () => { … });
 */
export function referenceArtifact(rel: string): string | undefined {
  const dirs = [path.resolve(REPO_ROOT, '../shared'), process.env['TINYMLOPS_SHARED']];
  for (const dir of dirs) {
    if (dir === undefined) continue;
    const p = path.join(dir, 'reference-artifacts/tinymlops-poc', rel);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}
