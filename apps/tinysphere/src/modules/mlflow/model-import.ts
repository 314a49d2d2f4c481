import { BundleManifest, parseOrThrow, TinyMLOpsError, type ModelVersionSummary } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { registerBundle } from '../models/model-registry.js';
import { packFiles } from '../packages/archive-writer.js';
import { proxiedArtifactPath } from './artifact-location.js';
import { downloadArtifactTree } from './artifact-download.js';
import { buildFromBareModel, isBareModel } from './bare-model-build.js';
import type { MlflowClient } from './mlflow-client.js';

/** What an import made of an MLflow model version. */
export interface ImportedVersion {
  summary: ModelVersionSummary;
  runId: string | null;
  source: string | null;
}

/**
 * Brings one MLflow model version into the registry: checks it is READY, resolves its artifact URI
 * (`get-download-uri`), downloads the folder through the artifact proxy (bounded by the bundle size
 * limit), and registers what it holds — a bundle folder (`bundle.json` + the files it lists), a
 * bundle archive (`*.tar.gz`), or a bare model (`model.tflite` + `labels.txt` + `examples/`, built
 * here with the bundle builder). Registration verifies schema, hashes and signature as an upload
 * does; every refusal says what was found.
 * @example
 * const { summary } = await importMlflowVersion(ctx, mlflow, 'fashion', '3');
 */
export async function importMlflowVersion(
  ctx: AppContext,
  client: MlflowClient,
  name: string,
  version: string,
): Promise<ImportedVersion> {
  const mv = await client.modelVersion(name, version);
  if (mv.status === 'FAILED_REGISTRATION') {
    throw new TinyMLOpsError(
      'VALIDATION_FAILED',
      `MLflow marks ${name} version ${version} FAILED_REGISTRATION: ${mv.status_message ?? ''}`,
    );
  }
  if (mv.status && mv.status !== 'READY') {
    throw new TinyMLOpsError(
      'UNAVAILABLE',
      `${name} version ${version} is ${mv.status} in MLflow; it is imported once READY`,
    );
  }
  const uri = await client.downloadUri(name, version);
  const root = proxiedArtifactPath(uri, client.config.trackingUri);
  const files = await downloadArtifactTree(client, root, {
    maxFiles: ctx.config.maxEntries,
    maxBytes: ctx.config.maxBundleBytes,
  });
  const summary = await registerBundle(ctx, await bundleArchive(name, version, uri, files));
  return { summary, runId: mv.run_id || null, source: mv.source ?? null };
}

async function bundleArchive(name: string, version: string, uri: string, files: Map<string, Buffer>): Promise<Buffer> {
  const manifestBytes = files.get('bundle.json');
  if (manifestBytes) return packListed(uri, manifestBytes, files);
  const archives = [...files.keys()].filter((p) => !p.includes('/') && /\.(tar\.gz|tgz)$/.test(p));
  if (archives.length === 1) return files.get(archives[0] as string) as Buffer;
  if (isBareModel(files)) return buildFromBareModel(name, version, files);
  const found = [...files.keys()].slice(0, 12).join(', ');
  throw new TinyMLOpsError(
    'VALIDATION_FAILED',
    `${uri} holds no bundle.json, no single bundle archive (*.tar.gz) and no model.tflite + labels.txt + examples/ (found: ${found})`,
  );
}

/** The bundle folder as the registry's archive: bundle.json first, then only the files it lists. */
async function packListed(uri: string, manifestBytes: Buffer, files: Map<string, Buffer>): Promise<Buffer> {
  let raw: unknown;
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'));
  } catch (e) {
    throw new TinyMLOpsError('INVALID_BUNDLE', `${uri}/bundle.json is not valid JSON`, { cause: e });
  }
  const manifest = parseOrThrow(BundleManifest, raw, `${uri}/bundle.json`);
  const listed: [string, Buffer][] = [['bundle.json', manifestBytes]];
  for (const f of manifest.files) {
    const body = files.get(f.path);
    if (!body)
      throw new TinyMLOpsError('INVALID_BUNDLE', `${uri}: bundle.json lists ${f.path}, which is not in the folder`);
    listed.push([f.path, body]);
  }
  return packFiles(listed);
}
