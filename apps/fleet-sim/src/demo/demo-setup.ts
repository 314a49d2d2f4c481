import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleManifest } from '@tinymlops/contracts';
import { packBundle } from '../bundle-files.js';
import { PeopleApi } from '../people-api.js';
import { runTinySphere, type TinySphereStorage } from '../tinysphere-process.js';

/** The demo's folders under its data directory (default `./.tinymlops/demo`). */
export function demoStorage(dataDir: string): TinySphereStorage & { adminFile: string; logFile: string } {
  return {
    db: `pglite:${path.join(dataDir, 'db')}`,
    blobs: `file:${path.join(dataDir, 'blobs')}`,
    adminFile: path.join(dataDir, 'admin-token.json'),
    logFile: path.join(dataDir, 'server.log'),
  };
}

/**
 * The demo's admin API token: made once with `tinysphere admin create-token` (before the server
 * starts: PGlite lets one process own the database) and kept in `admin-token.json` (mode 0600),
 * so a second `npm start` reuses it.
 * @example
 * const token = await demoAdminToken('.tinymlops/demo');
 */
export async function demoAdminToken(dataDir: string): Promise<string> {
  const s = demoStorage(dataDir);
  try {
    return (JSON.parse(await readFile(s.adminFile, 'utf8')) as { apiToken: string }).apiToken;
  } catch {
    await mkdir(dataDir, { recursive: true });
    const out = await runTinySphere(['admin', 'create-token', '--role', 'admin', '--name', 'demo-admin', '--db', s.db, '--blobs', s.blobs]); // prettier-ignore
    const { apiToken } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { apiToken: string };
    await writeFile(s.adminFile, `${JSON.stringify({ apiToken })}\n`, { mode: 0o600 });
    await chmod(s.adminFile, 0o600);
    return apiToken;
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
