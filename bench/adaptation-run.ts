/**
 * One mode of the adaptation evaluation: the device's own adaptation wiring (`DeviceAdaptation`)
 * over a fresh copy of the bundle's KNN and KNN-distance monitor, replaying the stream's features.
 * The server is simulated: validated labels for the first N quarantined held-out samples arrive
 * after frame `labelsAt - 1`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OperationalMode, ValidationFeedback } from '@tinymlops/contracts';
import {
  DeviceAdaptation,
  DeviceDataDir,
  EpisodeTracker,
  KnnDistanceMonitor,
  isDriftFlagged,
  createPipeline,
  knnFromDocument,
  type AdaptationTuning,
  type LoadedBundle,
} from '../packages/tinylcm/src/index.js';
import { STREAM, type StreamFrame } from './adaptation-stream.js';

/** A mode of the evaluation; `labels` is how many validated labels the server sends ('all': oracle). */
export interface ModeSpec {
  name: string;
  mode: OperationalMode;
  labels: number | 'all';
  /** Adapter tuning beyond the device defaults. */
  tuning?: AdaptationTuning;
}

/** A heuristic group (pseudo-class, or a reinforced known class in autonomous mode) and how pure its members are. */
export interface PseudoClass {
  label: string;
  members: number;
  majority: string;
  purity: number;
}

/** What one run produced, frame by frame. */
export interface RunResult {
  spec: ModeSpec;
  /** Predicted label per frame, pseudo-classes mapped to their members' majority class. */
  predicted: string[];
  rollbacks: number;
  pseudoClasses: PseudoClass[];
  quarantined: number;
  labelsSent: number;
  events: number;
}

interface Quarantined {
  sampleId: string;
  truth: string;
  heldOut: boolean;
}

/**
 * Runs `spec` over the stream.
 * @example
 * const r = await runMode({ name: 'server-assisted 10', mode: 'server-assisted', labels: 10 }, bundle, frames);
 */
export async function runMode(spec: ModeSpec, bundle: LoadedBundle, frames: StreamFrame[]): Promise<RunResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'adapt-eval-'));
  try {
    if (!bundle.knnState || !bundle.detectors) throw new Error('the bundle needs knn-state.json and detectors.json');
    // As loadBundlePipeline builds it on a device: the novel-class gate on, the bundle's labels known.
    const classifier = knnFromDocument(bundle.knnState, { capacity: 1000, replacement: 'class-balanced', novelClassGate: { knownClasses: bundle.manifest.labels } }); // prettier-ignore
    const monitor = KnnDistanceMonitor.fromReference(bundle.detectors, { knownClasses: bundle.manifest.labels });
    const pipeline = createPipeline<StreamFrame>({ extractor: { extract: (f) => f.features }, classifier, detectors: [{ name: 'knn-distance', detector: monitor }] }); // prettier-ignore
    let clock = Date.UTC(2026, 10, 26, 12);
    const adaptation = DeviceAdaptation.open({
      config: { mode: spec.mode, state: { keepVersions: 5 } },
      dataDir: new DeviceDataDir(dir),
      pipeline: { bundle, classifier, knnDistance: monitor },
      now: () => clock,
      ...(spec.tuning ? { tuning: spec.tuning } : {}),
    });
    const episodes = new EpisodeTracker();
    const raw: string[] = [];
    const quarantined: Quarantined[] = [];
    const server = simulatedServer(spec);
    for (const f of frames) {
      clock += 500; // 2 fps
      const sampleId = `smp_f${String(f.index).padStart(6, '0')}`;
      const r = await pipeline.process(f);
      raw.push(r.label ?? '');
      const driftFlagged = isDriftFlagged(episodes.observe(r.driftEvents));
      if ((await adaptation.observe(r, { sampleId, driftFlagged })).quarantined) quarantined.push({ sampleId, truth: f.truth, heldOut: f.heldOut }); // prettier-ignore
      if (f.index >= STREAM.labelsAt - 1) await adaptation.applyFeedback(server(quarantined));
    }
    const events = adaptation.tracker.readSince(0);
    const pseudoClasses = purity(adaptation, quarantined);
    const mapping = new Map(
      pseudoClasses.filter((p) => p.label.startsWith('pseudo-')).map((p) => [p.label, p.majority]),
    );
    return {
      spec,
      predicted: raw.map((l) => mapping.get(l) ?? l),
      rollbacks: events.filter((e) => e.action === 'rollback').length,
      pseudoClasses,
      quarantined: quarantined.length,
      labelsSent: server.sent,
      events: events.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The server's side: once, the first N quarantined held-out samples with their true labels
 * (the oracle keeps labelling every held-out sample as it is quarantined).
 */
function simulatedServer(spec: ModeSpec): ((q: Quarantined[]) => ValidationFeedback[]) & { sent: number } {
  const labelled = new Set<string>();
  let cursor = 0;
  const send = (q: Quarantined[]): ValidationFeedback[] => {
    const budget = spec.labels === 'all' ? Number.POSITIVE_INFINITY : spec.labels - labelled.size;
    if (budget <= 0 || (spec.labels !== 'all' && labelled.size > 0)) return [];
    const picked = q.filter((s) => s.heldOut && !labelled.has(s.sampleId)).slice(0, budget);
    picked.forEach((s) => labelled.add(s.sampleId));
    send.sent = labelled.size;
    return picked.map((s) => ({
      feedbackId: `fb_${String(++cursor).padStart(8, '0')}`,
      cursor,
      sampleId: s.sampleId,
      episodeId: 'ep_eval0001',
      decision: 'label',
      label: s.truth,
      validatedAt: '2026-11-26T12:05:00.000Z',
    }));
  };
  send.sent = 0;
  return send;
}

/** Pseudo-classes of the run, from the quarantine ledger: members by true class. */
function purity(adaptation: DeviceAdaptation, quarantined: Quarantined[]): PseudoClass[] {
  const byLabel = new Map<string, Map<string, number>>();
  for (const q of quarantined) {
    const a = adaptation.quarantine.adapted(q.sampleId);
    // Autonomous: every ledger entry is a heuristic decision (new class or reinforcement), all reported.
    if (!a || a.undone || (adaptation.policy.mode !== 'autonomous' && !a.label.startsWith('pseudo-'))) continue;
    const counts = byLabel.get(a.label) ?? new Map<string, number>();
    counts.set(q.truth, (counts.get(q.truth) ?? 0) + 1);
    byLabel.set(a.label, counts);
  }
  return [...byLabel].map(([label, counts]) => {
    const members = [...counts.values()].reduce((s, n) => s + n, 0);
    const [majority, top] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    return { label, members, majority, purity: top / members };
  });
}
