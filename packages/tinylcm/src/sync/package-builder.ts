import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  AdaptationDocument,
  DriftEventsDocument,
  LogsDocument,
  MetricsDocument,
  PACKAGE_LIMITS,
  PackageManifest,
  PredictionsDocument,
  StateSnapshotDocument,
  TinyMLOpsError,
  parseOrThrow,
  type AdaptationEvent,
  type AdaptationSample,
  type DriftEvent,
  type DriftSample,
  type FileEntry,
  type LogRecord,
  type MetricRecord,
  type PackageType,
  type PredictionRecord,
} from '@tinymlops/contracts';
import { writeTar } from './tar-archive.js';
import type { TarFile } from './tar-reader.js';

const gzipAsync = promisify(gzip);

/** A drift sample as the device holds it: the image (if any) as bytes, not yet a path in an archive. */
export interface DriftSampleInput extends Omit<DriftSample, 'image'> {
  image?: { bytes: Uint8Array; mediaType: 'image/png' | 'image/jpeg'; width: number; height: number };
}

/** A sampled prediction, optionally with its input image (stored under `predictions/images/`). */
export interface PredictionInput extends Omit<PredictionRecord, 'imagePath'> {
  image?: { bytes: Uint8Array; mediaType: 'image/png' | 'image/jpeg' };
}

/** The typed contents of one package; at least one part must be present. */
export interface PackageParts {
  drift?: { events: DriftEvent[]; samples?: DriftSampleInput[] };
  /** Metric records with strictly increasing `seq`: an incremental range, never re-sent. */
  metrics?: MetricRecord[];
  logs?: LogRecord[];
  predictions?: PredictionInput[];
  stateSnapshot?: StateSnapshotDocument;
  adaptation?: AdaptationEvent[];
  /** The samples those adaptation events put into the KNN, with their features. */
  adaptationSamples?: AdaptationSample[];
}

/** Options of {@link buildPackage}. */
export interface BuildPackageOptions {
  packageId: string;
  deviceId: string;
  createdAt: Date;
  parts: PackageParts;
  /** Lower archive limit than the server's (default `PACKAGE_LIMITS.maxArchiveBytes`). */
  maxArchiveBytes?: number;
}

/** A finished package archive, ready for the outbox. */
export interface BuiltPackage {
  packageId: string;
  manifest: PackageManifest;
  archive: Buffer;
  /** Lower-case hex sha256 of `archive`: the `X-Content-SHA256` of the upload. */
  sha256: string;
  size: number;
}

/** Archive paths of each type's document (stable, so the server and tests can find them). */
export const DOCUMENT_PATHS = {
  'drift-events': 'drift/events.json',
  metrics: 'metrics.json',
  logs: 'logs.json',
  'prediction-samples': 'predictions.json',
  'state-snapshot': 'state/snapshot.json',
  'adaptation-events': 'adaptation.json',
} as const satisfies Record<PackageType, string>;

/**
 * The stable id of a device's `seq`-th package: the same package always gets the same id, which
 * is what makes a re-upload after a crash an idempotent replay on the server.
 * @example
 * packageIdFor('dev_8Hq2kLw0', 42); // 'pkg_dev_8Hq2kLw0_0000000042'
 */
export function packageIdFor(deviceId: string, seq: number): string {
  const id = `pkg_${deviceId}_${String(seq).padStart(10, '0')}`;
  // Ids are at most 64 characters; a long device id is replaced by a digest of itself.
  if (id.length <= 64) return id;
  const digest = createHash('sha256').update(deviceId).digest('hex').slice(0, 24);
  return `pkg_${digest}_${String(seq).padStart(10, '0')}`;
}

/**
 * Builds a package: a gzip'd tar whose first entry is `manifest.json` (validated by contracts),
 * then every document and image with its sha256, size and media type. Throws `VALIDATION_FAILED`
 * for an invalid document and `PAYLOAD_TOO_LARGE` when the result would exceed `PACKAGE_LIMITS`
 * (split the records and build two packages).
 * @example
 * const pkg = await buildPackage({ packageId: packageIdFor(deviceId, outbox.reserveSequence()), deviceId,
 *   createdAt: new Date(), parts: { metrics: [{ seq: 0, at: new Date().toISOString(), name: 'rss_mb', value: 80 }] } });
 * await outbox.enqueue(pkg);
 */
export async function buildPackage(options: BuildPackageOptions): Promise<BuiltPackage> {
  const files = collectFiles(options.parts);
  if (files.length === 0) throw new TinyMLOpsError('INVALID_OPTION', 'buildPackage: parts are empty');
  const manifest = parseOrThrow(PackageManifest, manifestFor(options, files), 'package manifest');
  checkExtractedLimits(files);
  const entries: TarFile[] = [{ path: 'manifest.json', bytes: jsonBytes(manifest) }, ...files];
  const archive = await gzipAsync(await writeTar(entries, options.createdAt));
  const max = Math.min(options.maxArchiveBytes ?? PACKAGE_LIMITS.maxArchiveBytes, PACKAGE_LIMITS.maxArchiveBytes);
  if (archive.length > max)
    throw new TinyMLOpsError('PAYLOAD_TOO_LARGE', `package ${options.packageId} is ${archive.length} bytes > ${max}`);
  const extracted = entries.reduce((n, e) => n + e.bytes.length, 0);
  if (extracted / archive.length > PACKAGE_LIMITS.maxCompressionRatio)
    throw new TinyMLOpsError(
      'PAYLOAD_TOO_LARGE',
      `package ${options.packageId} compresses more than the server accepts`,
    );
  const sha256 = createHash('sha256').update(archive).digest('hex');
  return { packageId: options.packageId, manifest, archive, sha256, size: archive.length };
}

interface PackageFile extends TarFile {
  mediaType: string;
  /** Set on the document file of a type. */
  type?: PackageType;
  range?: { from: number; to: number };
}

function collectFiles(parts: PackageParts): PackageFile[] {
  const files: PackageFile[] = [];
  if (parts.drift) files.push(...driftFiles(parts.drift));
  if (parts.metrics?.length)
    files.push(recordsFile('metrics', parseOrThrow(MetricsDocument, doc(parts.metrics), 'metrics').records));
  if (parts.logs?.length) files.push(recordsFile('logs', parseOrThrow(LogsDocument, doc(parts.logs), 'logs').records));
  if (parts.predictions?.length) files.push(...predictionFiles(parts.predictions));
  if (parts.stateSnapshot) {
    const snapshot = parseOrThrow(StateSnapshotDocument, parts.stateSnapshot, 'state snapshot');
    files.push(documentFile('state-snapshot', snapshot));
  }
  if (parts.adaptation?.length) {
    const samples = parts.adaptationSamples?.length ? { samples: parts.adaptationSamples } : {};
    const document = parseOrThrow(AdaptationDocument, { ...doc(parts.adaptation), ...samples }, 'adaptation events');
    files.push({ ...recordsFile('adaptation-events', document.records), bytes: jsonBytes(document) });
  }
  return files;
}

function doc<T>(records: T[]): { schemaVersion: 1; records: T[] } {
  return { schemaVersion: 1, records };
}

function recordsFile(type: PackageType, records: { seq: number }[]): PackageFile {
  const from = records[0]?.seq ?? 0;
  const to = records[records.length - 1]?.seq ?? from;
  if (type === 'adaptation-events' && records.some((r, i) => i > 0 && r.seq <= (records[i - 1]?.seq ?? -1)))
    throw new TinyMLOpsError('VALIDATION_FAILED', 'adaptation events must have strictly increasing seq');
  return { ...documentFile(type, doc(records)), range: { from, to } };
}

function documentFile(type: PackageType, document: unknown): PackageFile {
  return { path: DOCUMENT_PATHS[type], bytes: jsonBytes(document), mediaType: 'application/json', type };
}

function driftFiles(drift: NonNullable<PackageParts['drift']>): PackageFile[] {
  const images: PackageFile[] = [];
  const samples: DriftSample[] = (drift.samples ?? []).map(({ image, ...sample }) => {
    if (!image) return sample;
    const path = `drift/images/${sample.sampleId}.${image.mediaType === 'image/png' ? 'png' : 'jpg'}`;
    images.push({ path, bytes: Buffer.from(image.bytes), mediaType: image.mediaType });
    return { ...sample, image: { path, mediaType: image.mediaType, width: image.width, height: image.height } };
  });
  const document = parseOrThrow(
    DriftEventsDocument,
    { schemaVersion: 1, events: drift.events, samples },
    'drift events',
  );
  return [documentFile('drift-events', document), ...images];
}

function predictionFiles(predictions: PredictionInput[]): PackageFile[] {
  const images: PackageFile[] = [];
  const records: PredictionRecord[] = predictions.map(({ image, ...record }) => {
    if (!image) return record;
    const imagePath = `predictions/images/${record.seq}.${image.mediaType === 'image/png' ? 'png' : 'jpg'}`;
    images.push({ path: imagePath, bytes: Buffer.from(image.bytes), mediaType: image.mediaType });
    return { ...record, imagePath };
  });
  const valid = parseOrThrow(PredictionsDocument, doc(records), 'predictions').records;
  return [recordsFile('prediction-samples', valid), ...images];
}

function manifestFor(options: BuildPackageOptions, files: PackageFile[]): PackageManifest {
  const documents: Partial<Record<PackageType, string>> = {};
  const sequences: NonNullable<PackageManifest['sequences']> = {};
  for (const f of files) {
    if (!f.type) continue;
    documents[f.type] = f.path;
    if (f.range && f.type !== 'drift-events' && f.type !== 'state-snapshot') sequences[f.type] = f.range;
  }
  return {
    schemaVersion: 1,
    packageId: options.packageId,
    deviceId: options.deviceId,
    createdAt: options.createdAt.toISOString(),
    types: files.flatMap((f) => (f.type ? [f.type] : [])),
    documents,
    ...(Object.keys(sequences).length > 0 ? { sequences } : {}),
    files: files.map((f): FileEntry => ({
      path: f.path,
      sha256: sha256Hex(f.bytes),
      size: f.bytes.length,
      mediaType: f.mediaType,
    })),
  };
}

function checkExtractedLimits(files: PackageFile[]): void {
  const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
  if (files.length + 1 > PACKAGE_LIMITS.maxEntries || bytes > PACKAGE_LIMITS.maxExtractedBytes)
    throw new TinyMLOpsError(
      'PAYLOAD_TOO_LARGE',
      `package holds ${files.length} files, ${bytes} bytes: over the limits`,
    );
}

function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
