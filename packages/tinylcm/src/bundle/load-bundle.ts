import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  BundleManifest,
  DetectorsReferenceDocument,
  KnnStateDocument,
  TinyMLOpsError,
  TransformDocument,
  parseOrThrow,
} from '@tinymlops/contracts';
import { verifyBundleSignature, type PublicKeyInput } from './bundle-signature.js';

/** A verified model bundle: manifest, model bytes and the optional documents, all hash-checked. */
export interface LoadedBundle {
  /** Absolute path of the bundle directory. */
  dir: string;
  manifest: BundleManifest;
  /** The model file's bytes, as verified (read once, so what was hashed is what gets loaded). */
  modelBytes: Uint8Array;
  /** The verified bytes of each twin listed in `model.twins` (same weights, other formats). */
  twins: { format: BundleManifest['model']['format']; bytes: Uint8Array }[];
  transform: TransformDocument | undefined;
  knnState: KnnStateDocument | undefined;
  detectors: DetectorsReferenceDocument | undefined;
  /** True when `bundle.json` carried a signature and it verified against `trustedKeys`. */
  signatureVerified: boolean;
}

/** Options of {@link loadBundle}. */
export interface LoadBundleOptions {
  /** keyId → ed25519 public key. When given, a present signature must verify. */
  trustedKeys?: Readonly<Record<string, PublicKeyInput>>;
  /** Refuse bundles without a verified signature. Needs `trustedKeys`. Default false. */
  requireSignature?: boolean;
}

const invalid = (dir: string, msg: string, cause?: unknown): TinyMLOpsError =>
  new TinyMLOpsError('INVALID_BUNDLE', `bundle ${dir}: ${msg}`, cause === undefined ? {} : { cause });

function parseJson(dir: string, file: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw invalid(dir, `${file} is not valid JSON: ${(e as Error).message}`, e);
  }
}

/** Reads every listed file and checks its size and sha256. */
async function readVerifiedFiles(dir: string, manifest: BundleManifest): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(path.join(dir, f.path)));
    } catch (e) {
      throw invalid(
        dir,
        `listed file ${f.path} is missing or unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        e,
      );
    }
    if (bytes.length !== f.size)
      throw invalid(dir, `file ${f.path} has ${bytes.length} bytes, bundle.json says ${f.size}`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== f.sha256)
      throw invalid(dir, `file ${f.path} sha256 mismatch: bundle.json says ${f.sha256}, file has ${sha}`);
    files.set(f.path, bytes);
  }
  return files;
}

/**
 * Loads a model bundle directory: validates `bundle.json` against the contracts schema, verifies the
 * size and sha256 of every listed file, parses `transform.json`, `knn-state.json` and
 * `detectors.json` when listed, checks their dimensions agree, and (optionally) verifies the
 * ed25519 signature (see `bundle-signature.ts` for the canonical bytes).
 *
 * Errors: `INVALID_BUNDLE` (missing file, hash/size mismatch, bad JSON, inconsistent dimensions,
 * bad signature) or `VALIDATION_FAILED` (a document does not match its schema), naming the file.
 * @example
 * const b = await loadBundle('models/fashion-mnv2');
 * const rt = await loadModelRuntime(b.modelBytes, { modelName: b.manifest.id, featureTensor: b.manifest.featureTensor.name });
 */
export async function loadBundle(dir: string, options: LoadBundleOptions = {}): Promise<LoadedBundle> {
  const abs = path.resolve(dir);
  let text: Uint8Array;
  try {
    text = new Uint8Array(await fs.readFile(path.join(abs, 'bundle.json')));
  } catch (e) {
    throw invalid(abs, `bundle.json is missing or unreadable (${(e as NodeJS.ErrnoException).code ?? ''})`, e);
  }
  const raw = parseJson(abs, 'bundle.json', text);
  const manifest = parseOrThrow(BundleManifest, raw, `bundle.json in ${abs}`);
  const signatureVerified = checkSignature(abs, raw as Record<string, unknown>, manifest, options);
  const files = await readVerifiedFiles(abs, manifest);
  const read = (p: string): unknown => parseJson(abs, p, files.get(p) as Uint8Array);
  const { transform: t, knnState: k, detectors: d } = manifest;
  const bundle: LoadedBundle = {
    dir: abs,
    manifest,
    modelBytes: files.get(manifest.model.path) as Uint8Array,
    twins: (manifest.model.twins ?? []).map((t) => ({ format: t.format, bytes: files.get(t.path) as Uint8Array })),
    transform: t === undefined ? undefined : parseOrThrow(TransformDocument, read(t), `${t} in ${abs}`),
    knnState: k === undefined ? undefined : parseOrThrow(KnnStateDocument, read(k), `${k} in ${abs}`),
    detectors: d === undefined ? undefined : parseOrThrow(DetectorsReferenceDocument, read(d), `${d} in ${abs}`),
    signatureVerified,
  };
  checkDimensions(bundle);
  return bundle;
}

function checkSignature(dir: string, raw: Record<string, unknown>, m: BundleManifest, o: LoadBundleOptions): boolean {
  if (o.requireSignature && (!m.signature || !o.trustedKeys)) {
    throw invalid(
      dir,
      m.signature
        ? 'a signature is required but no trusted keys were given'
        : 'a signature is required and bundle.json has none',
    );
  }
  if (!m.signature || !o.trustedKeys) return false;
  verifyBundleSignature(raw, o.trustedKeys, dir);
  return true;
}

/** The feature → transform → KNN chain must agree on its dimensions. */
function checkDimensions(b: LoadedBundle): void {
  const featureDim = b.manifest.featureTensor.dim;
  if (b.transform && b.transform.inputDim !== featureDim) {
    throw invalid(
      b.dir,
      `${b.manifest.transform} has inputDim ${b.transform.inputDim}, the feature tensor has ${featureDim}`,
    );
  }
  const knnDim = b.transform?.outputDim ?? featureDim;
  if (b.knnState && b.knnState.dim !== knnDim) {
    throw invalid(
      b.dir,
      `${b.manifest.knnState} has dim ${b.knnState.dim}, expected ${knnDim} (transform output or feature dim)`,
    );
  }
}
