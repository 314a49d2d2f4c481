import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BIN = fileURLToPath(new URL('../../bin/tinysphere.mjs', import.meta.url));
const run = promisify(execFile);

/**
 * Runs the real `tinysphere` CLI in a child process; resolves with its exit code and output
 * instead of throwing, so a test can assert on a refusal.
 * @example
 * const r = await tinysphere(['bundle', 'verify', dir]); // { code: 0, stdout: '{…}', stderr: '' }
 */
export async function tinysphere(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
