import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { encodeFloat32, type DriftEventsDocument, type PackageManifest, type PackageType } from '@tinymlops/contracts';
import tar from 'tar-stream';

/** One raw tar entry; `type` other than file makes hostile archives (links, devices). */
export interface RawEntry {
  name: string;
  body?: Buffer;
  type?: 'file' | 'symlink' | 'link' | 'directory';
  linkname?: string;
}

/** Packs raw entries into a gzip'd tar, exactly as given (no checks: tests build bad ones too). */
export async function packEntries(entries: RawEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    if (type === 'file') pack.entry({ name: e.name, size: e.body?.length ?? 0 }, e.body ?? Buffer.alloc(0));
    else pack.entry({ name: e.name, type, ...(e.linkname ? { linkname: e.linkname } : {}) });
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Options for a well-formed package. */
export interface PackageSpec {
  packageId: string;
  deviceId: string;
  documents: Partial<Record<PackageType, unknown>>;
  /** Extra listed files (images). */
  files?: Record<string, Buffer>;
  /** Mutates the manifest after hashes are computed (to make it lie). */
  tamper?: (m: PackageManifest) => void;
}

/**
 * Builds a valid package archive (manifest first, then every listed file) for tests.
 * @example
 * const body = await buildPackage({ packageId: 'pkg_dev1_0001', deviceId, documents: { metrics: metricsDoc(0, 10) } });
 */
export async function buildPackage(spec: PackageSpec): Promise<Buffer> {
  const files: Record<string, Buffer> = { ...spec.files };
  const documents: Partial<Record<PackageType, string>> = {};
  for (const [type, doc] of Object.entries(spec.documents)) {
    const path = `${type}.json`;
    documents[type as PackageType] = path;
    files[path] = Buffer.from(JSON.stringify(doc));
  }
  const manifest: PackageManifest = {
    schemaVersion: 1,
    packageId: spec.packageId,
    deviceId: spec.deviceId,
    createdAt: new Date('2026-11-26T10:00:00Z').toISOString(),
    types: Object.keys(spec.documents) as PackageType[],
    documents,
    files: Object.entries(files).map(([path, body]) => ({
      path,
      sha256: sha(body),
      size: body.length,
      mediaType: path.endsWith('.png') ? 'image/png' : 'application/json',
    })),
  };
  spec.tamper?.(manifest);
  return packEntries([
    { name: 'manifest.json', body: Buffer.from(JSON.stringify(manifest)) },
    ...Object.entries(files).map(([name, body]) => ({ name, body })),
  ]);
}

/** A metrics document with records seq `from`..`to`. */
export function metricsDoc(from: number, to: number) {
  const records = [];
  for (let seq = from; seq <= to; seq++)
    records.push({
      seq,
      at: new Date(Date.UTC(2026, 10, 26, 10, 0, seq % 60)).toISOString(),
      name: 'inference_ms',
      value: 10 + (seq % 7),
      unit: 'ms',
    });
  return { schemaVersion: 1, records };
}

/**
 * A drift document: one episode (start + end) with `n` samples of `dim`-d features; sample i
 * has image `drift/images/<sampleId>.png` when `withImages`.
 */
export function driftDoc(
  episodeId: string,
  n: number,
  opts: { dim?: number; withImages?: boolean; prefix?: string } = {},
): { doc: DriftEventsDocument; images: Record<string, Buffer> } {
  const dim = opts.dim ?? 16;
  const images: Record<string, Buffer> = {};
  const samples = Array.from({ length: n }, (_, i) => {
    const sampleId = `${opts.prefix ?? 'smp'}_${episodeId}_${String(i).padStart(4, '0')}`;
    const path = `drift/images/${sampleId}.png`;
    if (opts.withImages) images[path] = randomBytes(64);
    return {
      sampleId,
      episodeId,
      capturedAt: new Date(Date.UTC(2026, 10, 26, 10, 1, i % 60)).toISOString(),
      frameIndex: 100 + i,
      prediction: { label: i % 2 ? 'shirt' : 'bag', confidence: 0.4 + (i % 5) / 10 },
      features: encodeFloat32(Array.from({ length: dim }, (_, k) => Math.sin(i + k))),
      ...(opts.withImages ? { image: { path, mediaType: 'image/png' as const, width: 8, height: 8 } } : {}),
    };
  });
  const detector = { kind: 'knn-distance', name: 'knn-distance' };
  const doc: DriftEventsDocument = {
    schemaVersion: 1,
    events: [
      {
        eventId: `evs_${episodeId}`,
        episodeId,
        phase: 'start',
        at: '2026-11-26T10:01:00.000Z',
        frameIndex: 100,
        detector,
        statistics: { meanDistance: 14.2 },
        thresholds: { lambda: 30 },
        sampleIds: samples.map((s) => s.sampleId),
      },
      {
        eventId: `eve_${episodeId}`,
        episodeId,
        phase: 'end',
        at: '2026-11-26T10:02:00.000Z',
        frameIndex: 200,
        detector,
        statistics: { meanDistance: 3.1 },
        thresholds: { lambda: 30 },
        sampleIds: [],
      },
    ],
    samples,
  };
  return { doc, images };
}
