import { Float32Vector, TinyMLOpsError, decodeFloat32, encodeFloat32 } from '@tinymlops/contracts';

/** A drift-flagged sample waiting for a label (heuristic or server). Features are transformed. */
export interface QuarantinedSample {
  sampleId: string;
  features: Float32Array;
  prediction: string;
  confidence: number;
  /** Capture time, epoch milliseconds. */
  at: number;
  /** Where the frame's image was logged, when it was. */
  imageRef?: string;
}

/** A sample an adaptation consumed, remembered so the server's verdict on it can be applied later. */
export interface AdaptedSample {
  sampleId: string;
  features: Float32Array;
  /** The label the device gave it (a pseudo-class or a reinforced known class). */
  label: string;
  /** Which adaptation (cluster) it belonged to; all members of a group are undone together. */
  group: number;
  /** True when this sample entered the KNN (the cluster's representatives). */
  representative: boolean;
  /** True once the server rejected the group and its representatives left the KNN. */
  undone: boolean;
}

/** Options of {@link QuarantineBuffer}. */
export interface QuarantineBufferOptions {
  /** Pending samples kept; beyond it the oldest pending sample is evicted (default 100). */
  capacity?: number;
  /** Adapted samples remembered for feedback; beyond it the oldest are forgotten (default 500). */
  ledgerCapacity?: number;
  /**
   * Pending samples older than this (ms, measured against the newest sample's `at`, not a wall
   * clock) are dropped on `add` (default: no age limit).
   */
  maxAgeMs?: number;
}

/**
 * Bounded buffer of drift-flagged samples plus a bounded ledger of the samples adaptations used.
 *
 * Eviction policy: pending samples are kept in arrival order; adding to a full buffer evicts the
 * oldest pending sample (old drift evidence is the least relevant to the current episode), and
 * with `maxAgeMs` samples that much older than the newest one are dropped on `add`.
 * Samples an adaptation consumed leave the pending list at once (`markAdapted`), so they are never
 * clustered twice, and move to the ledger, which forgets its oldest entries beyond
 * `ledgerCapacity`. `discard` drops pending samples the server called false alarms.
 *
 * @example
 * const q = new QuarantineBuffer({ capacity: 100 });
 * q.add({ sampleId: 'smp_00000001', features, prediction: 'cat', confidence: 0.4, at: Date.now() });
 * const group = q.markAdapted(['smp_00000001'], 'pseudo-1', ['smp_00000001']);
 */
export class QuarantineBuffer {
  readonly capacity: number;
  readonly ledgerCapacity: number;
  readonly maxAgeMs: number;
  #pending: QuarantinedSample[] = [];
  #ledger: AdaptedSample[] = [];
  #nextGroup = 1;

  constructor(options: QuarantineBufferOptions = {}) {
    this.capacity = positiveInt('capacity', options.capacity ?? 100);
    this.ledgerCapacity = positiveInt('ledgerCapacity', options.ledgerCapacity ?? 500);
    this.maxAgeMs = options.maxAgeMs === undefined ? Infinity : positiveInt('maxAgeMs', options.maxAgeMs);
  }

  /** Number of pending samples. */
  get size(): number {
    return this.#pending.length;
  }

  /** Pending samples, oldest first. */
  pending(): readonly QuarantinedSample[] {
    return this.#pending;
  }

  /** Adds a sample; returns the evicted oldest sample when full. A known sampleId is ignored. */
  add(sample: QuarantinedSample): QuarantinedSample | undefined {
    if (this.get(sample.sampleId) || this.adapted(sample.sampleId)) return undefined;
    this.#pending = this.#pending.filter((s) => sample.at - s.at <= this.maxAgeMs);
    this.#pending.push({ ...sample, features: Float32Array.from(sample.features) });
    return this.#pending.length > this.capacity ? this.#pending.shift() : undefined;
  }

  /** The pending sample with this id. */
  get(sampleId: string): QuarantinedSample | undefined {
    return this.#pending.find((s) => s.sampleId === sampleId);
  }

  /** Drops pending samples (false alarms, samples of a rolled-back adaptation); returns how many. */
  discard(sampleIds: Iterable<string>): number {
    const ids = new Set(sampleIds);
    const before = this.#pending.length;
    this.#pending = this.#pending.filter((s) => !ids.has(s.sampleId));
    return before - this.#pending.length;
  }

  /**
   * Moves pending samples into the ledger under `label` as one group and returns the group number.
   * `representativeIds` are the members that entered the KNN.
   */
  markAdapted(sampleIds: readonly string[], label: string, representativeIds: readonly string[]): number {
    const group = this.#nextGroup++;
    const reps = new Set(representativeIds);
    for (const id of sampleIds) {
      const s = this.get(id);
      if (!s) continue;
      this.#ledger.push({
        sampleId: id,
        features: s.features,
        label,
        group,
        representative: reps.has(id),
        undone: false,
      });
    }
    this.discard(sampleIds);
    if (this.#ledger.length > this.ledgerCapacity) this.#ledger.splice(0, this.#ledger.length - this.ledgerCapacity);
    return group;
  }

  /**
   * Records a sample the device never held (or no longer holds) that entered the KNN under
   * `label` (a server label carrying its features): its own one-sample group, representative, so
   * a later verdict on it finds it. Returns the group.
   */
  remember(sampleId: string, features: Float32Array, label: string): number {
    const group = this.#nextGroup++;
    const sample = {
      sampleId,
      features: Float32Array.from(features),
      label,
      group,
      representative: true,
      undone: false,
    };
    this.#ledger.push(sample);
    if (this.#ledger.length > this.ledgerCapacity) this.#ledger.splice(0, this.#ledger.length - this.ledgerCapacity);
    return group;
  }

  /** Renames every ledger entry in force under `from` to `to` (a pseudo-class a person named). */
  renameLabel(from: string, to: string): number {
    const entries = this.ledgerOf(from);
    for (const e of entries) e.label = to;
    return entries.length;
  }

  /** The ledger entry of an adapted sample. */
  adapted(sampleId: string): AdaptedSample | undefined {
    return this.#ledger.find((s) => s.sampleId === sampleId);
  }

  /** Ledger entries still in force (not undone) under `label`. */
  ledgerOf(label: string): AdaptedSample[] {
    return this.#ledger.filter((s) => s.label === label && !s.undone);
  }

  /** Distinct labels in the ledger (so a new pseudo-class name never repeats a rejected one). */
  ledgerLabels(): string[] {
    return [...new Set(this.#ledger.map((s) => s.label))];
  }

  /** Representatives of a group that are still in the KNN (not undone). */
  representativesOf(group: number): AdaptedSample[] {
    return this.#ledger.filter((s) => s.group === group && s.representative && !s.undone);
  }

  /** Marks a group undone and returns its representatives (the samples to take out of the KNN). */
  undoGroup(group: number): AdaptedSample[] {
    const members = this.#ledger.filter((s) => s.group === group && !s.undone);
    for (const m of members) m.undone = true;
    return members.filter((m) => m.representative);
  }

  /**
   * Records the server's label for an adapted sample: it becomes its own one-sample group,
   * representative (its features are in the KNN under `label`). Returns the new group.
   */
  relabel(sampleId: string, label: string): number | undefined {
    const entry = this.adapted(sampleId);
    if (!entry) return undefined;
    Object.assign(entry, { label, group: this.#nextGroup++, representative: true, undone: false });
    return entry.group;
  }

  /** JSON-safe state; features as base64 float32. */
  snapshotState(): Record<string, unknown> {
    return {
      kind: 'quarantine-buffer',
      schemaVersion: 1,
      options: {
        capacity: this.capacity,
        ledgerCapacity: this.ledgerCapacity,
        maxAgeMs: this.maxAgeMs === Infinity ? null : this.maxAgeMs,
      },
      nextGroup: this.#nextGroup,
      pending: this.#pending.map((s) => ({ ...s, features: encodeFloat32(s.features) })),
      ledger: this.#ledger.map((s) => ({ ...s, features: encodeFloat32(s.features) })),
    };
  }

  /** Restores `snapshotState()` output (the options of this instance are kept). */
  restoreState(state: Record<string, unknown>): void {
    if (state['kind'] !== 'quarantine-buffer' || state['schemaVersion'] !== 1) {
      throw new TinyMLOpsError(
        'STATE_CORRUPT',
        'quarantine snapshot: expected kind quarantine-buffer, schemaVersion 1',
      );
    }
    const nextGroup = state['nextGroup'];
    if (!Number.isInteger(nextGroup)) throw new TinyMLOpsError('STATE_CORRUPT', 'quarantine snapshot: nextGroup');
    this.#nextGroup = nextGroup as number;
    this.#pending = decodeAll<QuarantinedSample>(state['pending']);
    this.#ledger = decodeAll<AdaptedSample>(state['ledger']);
  }
}

function decodeAll<T extends { features: Float32Array }>(rows: unknown): T[] {
  if (!Array.isArray(rows)) throw new TinyMLOpsError('STATE_CORRUPT', 'quarantine snapshot: expected arrays');
  return rows.map(
    (r: Record<string, unknown>) =>
      ({ ...r, features: decodeFloat32(Float32Vector.parse(r['features'])) }) as unknown as T,
  );
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) {
    throw new TinyMLOpsError('INVALID_OPTION', `QuarantineBuffer: option "${name}" must be an integer >= 1, got ${v}`);
  }
  return v;
}
