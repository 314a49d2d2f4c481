/**
 * The native comparator of `npm run bench:device`: the same `.tflite` file and the same
 * preprocessed frames, run by TF Lite's own interpreter (Python `tensorflow-cpu`, XNNPACK — what
 * the Python prototype runs). Dev-only: without a Python that imports tensorflow it is skipped
 * with one loud line, and every row's `ratioToTfLite` is null.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InputSpec } from '@tinymlops/contracts';
import { createPreprocessor } from '../packages/tinylcm/src/features/preprocess.js';
import { benchFrames, WARM_UP } from './device-pipeline-frames.js';

/** TF Lite's medians per thread count (ms per inference), and its features of frame 0. */
export interface TfLiteResult {
  tfliteVersion: string;
  runs: { threads: number; cpuMsMedian: number; wallMsMedian: number }[];
  features: number[];
}

/** `$TINYMLOPS_TFLITE_PYTHON`, else the git-ignored `.venv-tflite` of the repository. */
export function comparatorPython(repo: string): string | undefined {
  const env = process.env['TINYMLOPS_TFLITE_PYTHON'];
  if (env) return env;
  const venv = path.join(repo, '.venv-tflite/bin/python');
  return existsSync(venv) ? venv : undefined;
}

export const COMPARATOR_SETUP =
  'python3 -m venv .venv-tflite && .venv-tflite/bin/pip install tensorflow-cpu onnx (from the local package mirror)';

/**
 * Runs TF Lite on `model` over the bench frames with 1 and 2 threads. Returns undefined (after
 * printing why) when the comparator is absent or fails.
 */
export async function measureTfLite(
  repo: string,
  model: string,
  spec: InputSpec,
  frames: number,
): Promise<TfLiteResult | undefined> {
  const python = comparatorPython(repo);
  if (!python) {
    console.log(`!! TF Lite comparator absent: no .venv-tflite (${COMPARATOR_SETUP}); ratioToTfLite is null`);
    return undefined;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tinylcm-tflite-'));
  try {
    const pre = createPreprocessor(spec);
    const frameAt = await benchFrames(repo);
    const inputs = Array.from({ length: frames + WARM_UP }, (_, i) =>
      Buffer.from(pre.process(frameAt(i)).slice().buffer),
    );
    const file = path.join(dir, 'inputs.bin');
    writeFileSync(file, Buffer.concat(inputs));
    const script = path.join(repo, 'bench/tflite_interpreter.py');
    const args = [script, model, file, '--frames', String(frames), '--warmup', String(WARM_UP), '--threads', '1,2'];
    const out = execFileSync(python, [...args, '--dtype', spec.dtype === 'float32' ? 'float32' : 'uint8'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 2 ** 20,
    });
    return JSON.parse(out.trim().split('\n').at(-1) ?? '') as TfLiteResult;
  } catch (e) {
    const msg = ((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n').at(-1);
    console.log(`!! TF Lite comparator failed (${python}): ${msg}; ratioToTfLite is null`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
