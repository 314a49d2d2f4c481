import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BundleManifest } from '@tinymlops/contracts';
import { packBundle } from '../bundle-files.js';
import { PeopleApi } from '../people-api.js';
import type { TinySphereStorage } from '../tinysphere-process.js';

/** The built dashboard the server serves (`npm run build -w @tinymlops/dashboard`). */
const DASHBOARD_INDEX = fileURLToPath(new URL('../../../dashboard/dist/index.html', import.meta.url));

/** The demo's folders under its data directory (default `./.tinymlops/demo`). */
export function demoStorage(
  dataDir: string,
): TinySphereStorage & { adminFile: string; logFile: string; buildLog: string } {
  return {
    db: `pglite:${path.join(dataDir, 'db')}`,
    blobs: `file:${path.join(dataDir, 'blobs')}`,
    adminFile: path.join(dataDir, 'admin-token.json'),
    logFile: path.join(dataDir, 'server.log'),
    buildLog: path.join(dataDir, 'dashboard-build.log'),
  };
}

/**
 * Waits for the admin API token the server writes at its first start (`--admin-token-file`) and
 * returns it; a second start finds the file and reuses the token.
 * @example
 * const token = await readAdminToken('.tinymlops/demo/admin-token.json');
 */
export async function readAdminToken(file: string, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (JSON.parse(await readFile(file, 'utf8')) as { apiToken: string }).apiToken;
    } catch (err) {
      if (Date.now() > until) throw new Error(`the server wrote no admin token to ${file}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Builds the dashboard when `apps/dashboard/dist` has no build (first start after `npm ci`); its
 * output goes to `logFile`. Resolves false when the build failed (the demo runs without it).
 * @example
 * await buildDashboardIfMissing('.tinymlops/demo/dashboard-build.log');
 */
export async function buildDashboardIfMissing(logFile: string): Promise<boolean> {
  if (existsSync(DASHBOARD_INDEX)) return true;
  const log = await open(logFile, 'a');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('npm', ['run', 'build', '-w', '@tinymlops/dashboard'], { stdio: ['ignore', log.fd, log.fd] });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    return code === 0;
  } finally {
    await log.close();
  }
}

/**
 * Registers the bundle in the server's model registry unless that version is already there
 * (so a second start is a no-op). Returns `id@version` and whether it uploaded.
 * @example
 * await registerBundleOnce(api, 'models/fashion-mnv2'); // { ref: 'fashion-mnv2@1.0.0', uploaded: true }
 */
export async function registerBundleOnce(
  api: PeopleApi,
  bundleDir: string,
): Promise<{ ref: string; uploaded: boolean }> {
  const m = BundleManifest.parse(JSON.parse(await readFile(path.join(bundleDir, 'bundle.json'), 'utf8')));
  const ref = `${m.id}@${m.version}`;
  const have = await api.versions(m.id).catch(() => []);
  if (have.some((v) => v.version === m.version)) return { ref, uploaded: false };
  await api.uploadBundle(await packBundle(bundleDir));
  return { ref, uploaded: true };
}
