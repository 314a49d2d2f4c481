import { encodeFloat32, type AdaptationEvent, type AdaptationSample } from '@tinymlops/contracts';
import type { AdaptationTracker } from '../adapt/adaptation-tracker.js';
import type { QuarantineBuffer } from '../adapt/quarantine-buffer.js';
import type { AdaptiveState } from '../state/adaptive-state.js';
import type { StateStore } from '../state/state-store.js';
import type { PackageParts } from '../sync/package-builder.js';

/** Steps that put samples into the KNN: the server shows those samples and may share them. */
const ADDING: ReadonlySet<AdaptationEvent['action']> = new Set([
  'pseudo-class-created',
  'class-reinforced',
  'feedback-applied',
  'adaptation-relabelled',
]);

/** Most samples one report carries (about 1.4 kB each for 256-d features). */
const MAX_SAMPLES = 2000;

/** What an adaptation report is built from. */
export interface ReportSources {
  tracker: AdaptationTracker;
  quarantine: QuarantineBuffer;
  state: AdaptiveState;
  store: StateStore;
}

/**
 * The adaptation events after `after`, the features of the samples they put into the KNN (those
 * still there, from the quarantine's ledger) and the state snapshot they led to: one outbox
 * package's parts.
 * @example
 * await enqueue(adaptationReport({ tracker, quarantine, state, store }, sentSeq));
 */
export function adaptationReport(src: ReportSources, after: number): PackageParts {
  const adaptation = src.tracker.readSince(after);
  const samples: AdaptationSample[] = [];
  for (const e of adaptation) {
    if (!ADDING.has(e.action)) continue;
    for (const id of e.sampleIds ?? []) {
      const a = src.quarantine.adapted(id);
      if (!a || !a.representative || a.undone || samples.length >= MAX_SAMPLES) continue;
      samples.push({ seq: e.seq, sampleId: id, label: a.label, features: encodeFloat32(a.features) });
    }
  }
  const stateSnapshot = src.state.version > 0 ? src.store.load(src.state.version) : undefined;
  return {
    adaptation,
    ...(samples.length ? { adaptationSamples: samples } : {}),
    ...(stateSnapshot ? { stateSnapshot } : {}),
  };
}
