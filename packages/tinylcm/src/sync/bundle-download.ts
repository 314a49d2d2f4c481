import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BundleManifest, type ModelAssignment } from '@tinymlops/contracts';
import { verifyBundleSignature, type PublicKeyInput } from '../bundle/bundle-signature.js';
import type { DeviceApi } from './device-api.js';
import { readTarGz } from './tar-archive.js';
import type { TarLimits } from './tar-reader.js';

/** Outcome of {@link downloadBundle}: a verified staging directory, or why not. */
export type BundleDownload =
  | { ok: true; dir: string; manifest: BundleManifest }
  /** `retry`: the network failed, try again later; `invalid`: this bundle will never verify. */
  | { ok: false; kind: 'retry' | 'invalid'; message: string };

/** Default bounds on a bundle archive (a MobileNet-class bundle is a few MB). */
export const BUNDLE_LIMITS: TarLimits = { maxEntries: 256, maxExtractedBytes: 256 * 1024 * 1024 };

/** Options of {@link downloadBundle}. */
export interface BundleDownloadOptions {
  limits?: TarLimits;
  /**
   * Keys the device itself trusts (its config): when given, `bundle.json` must carry a signature
   * that verifies against one of them. Without them, the keys the assignment names (the server's)
   * are required instead; with neither, only the hashes are checked.
   */
  trustedKeys?: Readonly<Record<string, PublicKeyInput>>;
}

/**
 * Downloads an assigned bundle and extracts it into `<stagingRoot>/<modelId>-<version>/`, after
 * checking the archive against `X-Content-SHA256` and the assignment, then every file against
 * `bundle.json`, then its signature (see {@link BundleDownloadOptions.trustedKeys}). Nothing is
 * extracted unless everything verifies. Loading and switching to the bundle is the caller's job
 * (the device app's install hook).
 * @example
 * const d = await downloadBundle(api, assignment, join(stateDir, 'staging'), { trustedKeys });
 * if (d.ok) await install(d.dir, assignment);
 */
export async function downloadBundle(
  api: DeviceApi,
  assignment: ModelAssignment,
  stagingRoot: string,
  options: BundleDownloadOptions = {},
): Promise<BundleDownload> {
  const dir = join(stagingRoot, `${assignment.modelId}-${assignment.version}`);
  await rm(dir, { recursive: true, force: true });
  const r = await api.download(assignment.downloadPath);
  if (!r.ok) return { ok: false, kind: r.kind === 'retry' ? 'retry' : 'invalid', message: r.message };
  const body = await readCapped(r.value, assignment.bundleSize);
  if (!body.ok) return body;
  const { archive, sha256 } = body;
  const header = r.value.headers.get('x-content-sha256');
  if (header !== sha256)
    return invalid(`bundle sha256 ${sha256} does not match X-Content-SHA256 ${header ?? '(missing)'}`);
  if (sha256 !== assignment.bundleSha256) return invalid(`bundle sha256 ${sha256} does not match the assignment`);
  const verified = await verifyFiles(archive, assignment, options.limits ?? BUNDLE_LIMITS);
  if (!verified.ok) return verified;
  const signature = checkSignature(verified.raw, assignment, options.trustedKeys);
  if (signature) return invalid(signature);
  for (const f of verified.files) {
    await mkdir(dirname(join(dir, f.path)), { recursive: true });
    await writeFile(join(dir, f.path), f.bytes);
  }
  return { ok: true, dir, manifest: verified.manifest };
}

/** Reads the body, hashing as it goes, and stops as soon as it exceeds what the assignment announced. */
async function readCapped(
  res: Response,
  maxBytes: number,
): Promise<{ ok: true; archive: Buffer; sha256: string } | Extract<BundleDownload, { ok: false }>> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).length;
      if (size > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        return invalid(`bundle is larger than the ${maxBytes} bytes the assignment announced`);
      }
      hash.update(chunk as Uint8Array);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (err) {
    return { ok: false, kind: 'retry', message: `bundle download interrupted: ${(err as Error).message}` };
  }
  return { ok: true, archive: Buffer.concat(chunks), sha256: hash.digest('hex') };
}

async function verifyFiles(archive: Buffer, assignment: ModelAssignment, limits: TarLimits) {
  let files: Awaited<ReturnType<typeof readTarGz>>;
  try {
    files = await readTarGz(archive, limits);
  } catch (err) {
    return invalid(`bundle archive unreadable: ${(err as Error).message}`);
  }
  const byPath = new Map(files.map((f) => [f.path, f.bytes]));
  const json = byPath.get('bundle.json');
  const manifest = BundleManifest.safeParse(json ? safeJson(json.toString('utf8')) : undefined);
  if (!manifest.success) return invalid(`bundle.json missing or invalid: ${manifest.error.issues[0]?.message ?? ''}`);
  const m = manifest.data;
  if (m.id !== assignment.modelId || m.version !== assignment.version)
    return invalid(`bundle is ${m.id}@${m.version}, assignment is ${assignment.modelId}@${assignment.version}`);
  for (const entry of m.files) {
    const bytes = byPath.get(entry.path);
    if (!bytes) return invalid(`bundle file ${entry.path} is missing`);
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== entry.sha256 || bytes.length !== entry.size)
      return invalid(`bundle file ${entry.path} fails its sha256/size check`);
  }
  const listed = new Set(['bundle.json', ...m.files.map((f) => f.path)]);
  const extra = files.find((f) => !listed.has(f.path));
  if (extra) return invalid(`bundle file ${extra.path} is not listed in bundle.json`);
  return { ok: true as const, files, manifest: m, raw: safeJson((json as Buffer).toString('utf8')) as object };
}

/** Why the signature is refused (null when it verifies, or when nobody names trusted keys). */
function checkSignature(
  raw: object,
  assignment: ModelAssignment,
  deviceKeys: Readonly<Record<string, PublicKeyInput>> | undefined,
): string | null {
  const keys = deviceKeys ?? assignment.trustedKeys;
  if (!keys) return null;
  const whose = deviceKeys ? "the device's model.trustedKeys" : "the server's trusted keys";
  try {
    verifyBundleSignature(raw as Record<string, unknown>, keys, `${assignment.modelId}@${assignment.version}`);
    return null;
  } catch (err) {
    return `signature refused (checked against ${whose}): ${(err as Error).message}`;
  }
}

function invalid(message: string): { ok: false; kind: 'invalid'; message: string } {
  return { ok: false, kind: 'invalid', message };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
