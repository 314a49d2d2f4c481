/**
 * One row of the adaptation evaluation on the reporting device: the device runs the stream, the
 * simulated server sends validated labels for the first N quarantined held-out samples, at once
 * (frame `labelsAt`) or after a delay. A delayed label is validated `delay` after the first
 * episode ended (the device's clock jumps while it runs the calm frames between the episodes) and
 * arrives when the new classes come back (frame `episodes[1].start`); `restart` also reboots the
 * device just before. `v1: true` replays the same row as an old device: labels without features,
 * and (restart) no pending samples kept on disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OperationalMode } from '@tinymlops/contracts';
import type { AdaptationTuning, DeviceAdaptation, LoadedBundle } from '../packages/tinylcm/src/index.js';
import { openEvalDevice } from './adaptation-device.js';
import { labelItems, type LabelCandidate } from './adaptation-labels.js';
import { STREAM, type StreamFrame } from './adaptation-stream.js';

/** When validated labels reach the device: at once, an hour or a day after the episode, or after a reboot. */
export type ValidationDelay = '0' | '1h' | '1d' | 'restart';

const DELAY_MS: Record<ValidationDelay, number> = { '0': 0, '1h': 3_600_000, '1d': 86_400_000, restart: 3_600_000 };

/** A row of the evaluation; `labels` is how many validated labels the server sends ('all': oracle). */
export interface ModeSpec {
  name: string;
  mode: OperationalMode;
  labels: number | 'all';
  delay?: ValidationDelay;
  /** Replay as a v1 device (labels without features, no pending-sample journal). */
  v1?: boolean;
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
  /** Frame at which the labels arrived: the measured window starts here. */
  labelsAt: number;
  rollbacks: number;
  pseudoClasses: PseudoClass[];
  quarantined: number;
  labelsSent: number;
  /** Labels the device applied (the rest it could not: v1 labels of samples it no longer held). */
  labelsApplied: number;
  events: number;
}

/** Frame at which a row's labels arrive. */
export function labelsArriveAt(delay: ValidationDelay = '0'): number {
  return delay === '0' ? STREAM.labelsAt : STREAM.episodes[1].start;
}

/**
 * Runs one row over the stream.
 * @example
 * const r = await runMode({ name: 'server-assisted 10, 1 h', mode: 'server-assisted', labels: 10, delay: '1h' }, bundle, frames);
 */
export async function runMode(spec: ModeSpec, bundle: LoadedBundle, frames: StreamFrame[]): Promise<RunResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'adapt-eval-'));
  try {
    let clock = Date.UTC(2026, 10, 26, 12);
    const device = openEvalDevice(bundle, spec.mode, dir, () => clock, spec.tuning);
    const at = labelsArriveAt(spec.delay);
    const gap = calmGap(spec.delay ?? '0');
    const raw: string[] = [];
    const quarantined: LabelCandidate[] = [];
    const labelled = new Set<string>();
    let applied = 0;
    for (const f of frames) {
      clock += gap.has(f.index) ? gap.step : 500; // 2 fps, slower between the episodes
      const sampleId = `smp_f${String(f.index).padStart(6, '0')}`;
      const step = await device.step(f, sampleId);
      raw.push(step.label);
      if (step.quarantined) quarantined.push({ sampleId, features: f.features, truth: f.truth, heldOut: f.heldOut });
      if (f.index === at - 1 && spec.delay === 'restart') reboot(device, dir, spec.v1 === true);
      // After frame at - 1: the labels take effect from frame `at` on (the oracle keeps labelling).
      if (f.index < at - 1 || spec.labels === 0 || (spec.labels !== 'all' && labelled.size > 0)) continue;
      const budget = spec.labels === 'all' ? Infinity : spec.labels;
      const picked = quarantined.filter((s) => s.heldOut && !labelled.has(s.sampleId)).slice(0, budget);
      picked.forEach((s) => labelled.add(s.sampleId));
      const items = labelItems(bundle, picked, { carryFeatures: !spec.v1 });
      const outcomes = items.length === 0 ? [] : await device.adaptation.applyInbox(items);
      applied += outcomes.filter((o) => o.status === 'applied').length;
    }
    const events = device.adaptation.tracker.readSince(0);
    const pseudoClasses = purity(device.adaptation, quarantined);
    const mapping = new Map(
      pseudoClasses.filter((p) => p.label.startsWith('pseudo-')).map((p) => [p.label, p.majority]),
    );
    return {
      spec,
      predicted: raw.map((l) => mapping.get(l) ?? l),
      labelsAt: at,
      rollbacks: events.filter((e) => e.action === 'rollback').length,
      pseudoClasses,
      quarantined: quarantined.length,
      labelsSent: labelled.size,
      labelsApplied: applied,
      events: events.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The calm frames between the episodes share the delay between them (labels validated `delay` after the end). */
function calmGap(delay: ValidationDelay): { has: (i: number) => boolean; step: number } {
  const [first, second] = STREAM.episodes;
  const frames = second.start - first.end;
  return { has: (i) => delay !== '0' && i > first.end && i <= second.start, step: DELAY_MS[delay] / frames };
}

/** A reboot before the labels arrive; an old (v1) device kept no pending samples on disk. */
function reboot(device: ReturnType<typeof openEvalDevice>, dir: string, v1: boolean): void {
  if (v1) rmSync(path.join(dir, 'quarantine.jsonl'), { force: true });
  device.restart();
}

/** Pseudo-classes of the run, from the quarantine ledger: members by true class. */
function purity(adaptation: DeviceAdaptation, quarantined: LabelCandidate[]): PseudoClass[] {
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
