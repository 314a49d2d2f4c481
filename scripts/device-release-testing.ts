/**
 * Shared steps of the device release tests: pack the release, install it with install.sh into a
 * folder (`--root`), run the installed `tinylcm-device`. Plain child processes, like a user's shell.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Set by .ci/run: the slow install and qemu tests run only then (a few minutes of 2 CPUs). */
export const SLOW_TESTS = process.env['TINYMLOPS_SLOW_TESTS'] === '1';

/** `npm run pack:device` in this checkout; the tarball's path. */
export function packDevice(): string {
  const out = execFileSync('npm', ['run', '--silent', 'pack:device'], { cwd: REPO, encoding: 'utf8' });
  const name = /dist\/(tinylcm-device-[\w.-]+\.tgz)/.exec(out)?.[1];
  if (!name) throw new Error(`npm run pack:device printed no tarball name:\n${out}`);
  return path.join(REPO, 'dist', name);
}

/** Options of {@link installRelease}. */
export interface InstallOptions {
  /** The Node.js the installed device runs (install.sh --node). */
  node: string;
  /** Extra environment, e.g. npm_config_cpu=arm64 to install another CPU's packages. */
  env?: Record<string, string>;
  args?: string[];
}

/** `sh install.sh --root <root> …`; returns its output (throws with it when it fails). */
export function installRelease(root: string, tarball: string, o: InstallOptions): string {
  const script = path.join(REPO, 'apps/device/deploy/install.sh');
  return execFileSync('sh', [script, '--root', root, '--node', o.node, ...(o.args ?? []), tarball], {
    encoding: 'utf8',
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** What a finished `tinylcm-device` process printed. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Runs the installed `tinylcm-device` (the `/usr/local/bin` link under `root`) to completion with
 * `PATH` starting at `nodeDir`, as the systemd unit does: the launcher's `env -S node …` line
 * picks that Node.
 */
export function runInstalled(root: string, nodeDir: string, args: string[]): Promise<RunResult> {
  const bin = path.join(root, 'usr/local/bin/tinylcm-device');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PATH: `${nodeDir}:${process.env['PATH'] ?? ''}` };
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

/** The version in apps/device/package.json: the release's version. */
export function deviceVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'apps/device/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
