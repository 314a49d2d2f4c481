/**
 * Valid packages of every type, as parts the fuzzer can still break (documents as text, files as
 * bytes, a manifest listing them with true sizes and hashes). Test-only code.
 */
import { createHash } from 'node:crypto';
import { encodeFloat32, PACKAGE_TYPES, type PackageType } from '@tinymlops/contracts';
import type { FuzzRng } from './fuzz-rng.js';
import { toJsonText } from './json-mutations.js';
import type { ForgedEntry } from './tar-forge.js';

const AT = '2026-11-26T10:00:00.000Z';
export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const png = (rng: FuzzRng) => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), rng.bytes(16 + rng.int(200))]);

/** A valid document of `type` with its image files; small, with some randomness. */
function document(rng: FuzzRng, type: PackageType, id: string): { doc: unknown; files: Record<string, Buffer> } {
  const seq = rng.int(1000);
  const files: Record<string, Buffer> = {};
  switch (type) {
    case 'metrics':
      return {
        doc: {
          schemaVersion: 1,
          records: [
            { seq, at: AT, name: 'inference_ms', value: rng.int(100), unit: 'ms' },
            { seq: seq + 1, at: AT, name: 'rss_mb', value: 80 },
          ],
        },
        files,
      };
    case 'logs':
      return {
        doc: {
          schemaVersion: 1,
          records: [{ seq, at: AT, level: 'warn', message: 'camera timeout', context: { ms: rng.int(9000) } }],
        },
        files,
      };
    case 'prediction-samples':
      files[`predictions/images/${seq}.png`] = png(rng);
      return {
        doc: {
          schemaVersion: 1,
          records: [
            {
              seq,
              at: AT,
              label: 'coat',
              confidence: 0.9,
              features: encodeFloat32([1, 2]),
              imagePath: `predictions/images/${seq}.png`,
            },
          ],
        },
        files,
      };
    case 'drift-events': {
      const sampleId = `smp_${id}`;
      files[`drift/images/${sampleId}.png`] = png(rng);
      const event = {
        eventId: `evt_${id}`,
        episodeId: `ep_${id}`,
        phase: 'start',
        at: AT,
        frameIndex: seq,
        detector: { kind: 'knn-distance', name: 'knn-distance' },
        statistics: { meanDistance: 14.2 },
        thresholds: { lambda: 30 },
        sampleIds: [sampleId],
      };
      const sample = {
        sampleId,
        episodeId: `ep_${id}`,
        capturedAt: AT,
        frameIndex: seq,
        prediction: { label: 'bag', confidence: 0.4 },
        neighbours: [{ label: 'bag', distance: 13.9 }],
        features: encodeFloat32([0.5, -1.25, 3, rng.int(9)]),
        image: { path: `drift/images/${sampleId}.png`, mediaType: 'image/png', width: 8, height: 8 },
      };
      return { doc: { schemaVersion: 1, events: [event], samples: [sample] }, files };
    }
    case 'state-snapshot':
      return {
        doc: {
          schemaVersion: 1,
          stateVersion: 1 + seq,
          createdAt: AT,
          reason: 'fuzz',
          parentVersion: seq || null,
          components: { classifier: { k: 5 } },
        },
        files,
      };
    case 'adaptation-events':
      return {
        doc: {
          schemaVersion: 1,
          records: [
            {
              seq,
              at: AT,
              action: 'feedback-applied',
              label: 'bag',
              samples: 3,
              stateVersionBefore: 5,
              stateVersionAfter: 6,
              reason: 'fuzz',
            },
          ],
        },
        files,
      };
  }
}

/** A package as parts: documents as text, other files as bytes, and the manifest to list them. */
export interface Spec {
  deviceId: string;
  packageId: string;
  docs: Map<PackageType, string>;
  files: Record<string, Buffer>;
}

export function seedSpec(rng: FuzzRng, index: number): Spec {
  const id = `fz${String(index).padStart(8, '0')}`;
  const types = [...PACKAGE_TYPES].filter(() => rng.chance(0.35));
  if (types.length === 0) types.push(rng.pick(PACKAGE_TYPES));
  const spec: Spec = { deviceId: 'dev_fuzzer01', packageId: `pkg_${id}`, docs: new Map(), files: {} };
  for (const t of types) {
    const { doc, files } = document(rng, t, id);
    spec.docs.set(t, JSON.stringify(doc));
    Object.assign(spec.files, files);
  }
  return spec;
}

/** The manifest listing every document and file with its true size and hash. */
export function manifestOf(spec: Spec): Record<string, unknown> {
  const all = allFiles(spec);
  return {
    schemaVersion: 1,
    packageId: spec.packageId,
    deviceId: spec.deviceId,
    createdAt: AT,
    types: [...spec.docs.keys()],
    documents: Object.fromEntries([...spec.docs.keys()].map((t) => [t, `${t}.json`])),
    files: Object.entries(all).map(([path, b]) => ({
      path,
      sha256: sha(b),
      size: b.length,
      mediaType: path.endsWith('.png') ? 'image/png' : 'application/json',
    })),
  };
}

function allFiles(spec: Spec): Record<string, Buffer> {
  const docs = Object.fromEntries([...spec.docs].map(([t, text]) => [`${t}.json`, Buffer.from(text)]));
  return { ...spec.files, ...docs };
}

export function entriesOf(spec: Spec, manifest: unknown = manifestOf(spec)): ForgedEntry[] {
  const files = Object.entries(allFiles(spec)).map(([name, body]) => ({ name, body }));
  return [{ name: 'manifest.json', body: Buffer.from(toJsonText(manifest)) }, ...files];
}
