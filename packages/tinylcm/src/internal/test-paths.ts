import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InputSpec } from '@tinymlops/contracts';

/** The repository root (this file is `packages/tinylcm/src/internal/test-paths.ts`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The `shared/` folder with the prototype's reference artifacts: `../shared` beside the repository,
 * else `$TINYMLOPS_SHARED` (for clones that do not sit next to it, e.g. git worktrees); undefined
 * when neither holds `reference-artifacts/tinymlops-poc`, so tests and benches can skip cleanly.
 * @example
 * const shared = sharedDir(); // '<repo>/../shared' or undefined
 */
export function sharedDir(): string | undefined {
  const dirs = [path.resolve(REPO_ROOT, '../shared'), process.env['TINYMLOPS_SHARED']];
  return dirs.find((d) => d !== undefined && fs.existsSync(path.join(d, 'reference-artifacts/tinymlops-poc')));
}

/**
 * A file under `shared/reference-artifacts/tinymlops-poc/` (the prototype's models), or undefined
 * when it is absent.
 * @example
 * const model = referenceArtifact('scenario2/model_object.tflite');
 * describe.skipIf(!model)('the prototype model', () => { … });
 */
export function referenceArtifact(rel: string): string | undefined {
  const dir = sharedDir();
  const p = dir && path.join(dir, 'reference-artifacts/tinymlops-poc', rel);
  return p && fs.existsSync(p) ? p : undefined;
}

/**
 * Input spec of the prototype's 224² object model (`scenario2/model_object.tflite`): raw RGB bytes,
 * area resize, gray frames copied to R, G and B.
 * @example
 * const pre = createPreprocessor(PROTOTYPE_OBJECT_INPUT);
 */
export const PROTOTYPE_OBJECT_INPUT = {
  name: 'input_1',
  shape: [1, 224, 224, 3],
  dtype: 'uint8',
  colorOrder: 'rgb',
  normalization: { scale: 1, offset: 0 },
  resize: { method: 'area', width: 224, height: 224 },
  grayscaleToRgb: true,
} as const satisfies InputSpec;

/**
 * Whether the optional `onnxruntime-node` is installed (it has no armv7 build): tests of the onnx
 * backend skip without it.
 * @example
 * describe.skipIf(!hasOnnxRuntimeNode())('the onnx backend', () => { … });
 */
export function hasOnnxRuntimeNode(): boolean {
  try {
    createRequire(import.meta.url).resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
}
