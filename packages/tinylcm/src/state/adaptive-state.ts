import { TinyMLOpsError, type DetectorSnapshot, type StateSnapshotDocument } from '@tinymlops/contracts';
import type { StateStore } from './state-store.js';

/** A component with JSON-safe state (the KNN, the transform, the quarantine). */
export interface SnapshotComponent {
  snapshotState(): Record<string, unknown>;
  restoreState(state: Record<string, unknown>): void;
}

/** The device's detectors as one group: the registry rebuilds them from their snapshots. */
export interface DetectorGroup {
  snapshot(): DetectorSnapshot[];
  restore(snapshots: DetectorSnapshot[]): void;
}

/** Everything that adapts; `classifier` is the only mandatory part. */
export interface AdaptiveComponents {
  classifier: SnapshotComponent;
  transform?: SnapshotComponent;
  quarantine?: SnapshotComponent;
  detectors?: DetectorGroup;
}

/** Options of {@link AdaptiveState}. */
export interface AdaptiveStateOptions {
  store: StateStore;
  components: AdaptiveComponents;
  /** Injected clock for `createdAt` (default: `new Date()`). */
  now?: () => Date;
  modelId?: string;
}

/**
 * Binds the adaptive components to a {@link StateStore}: `checkpoint()` captures ALL of them into
 * one versioned snapshot (the prototype wrote `"components": {}`), `boot()` restores the latest
 * valid one, `rollbackTo()` restores an earlier one and records that as a new version.
 *
 * @example
 * const state = new AdaptiveState({ store, components: { classifier: knn, quarantine } });
 * state.boot();                                   // restores the newest valid snapshot, if any
 * const before = state.checkpoint('before pseudo-class');
 * // … adapt …
 * state.rollbackTo(before);                       // the classifier predicts exactly as before
 */
export class AdaptiveState {
  readonly #store: StateStore;
  readonly #components: AdaptiveComponents;
  readonly #now: () => Date;
  readonly #modelId: string | undefined;
  #version = 0;

  constructor(options: AdaptiveStateOptions) {
    this.#store = options.store;
    this.#components = options.components;
    this.#now = options.now ?? (() => new Date());
    this.#modelId = options.modelId;
  }

  /** Version of the snapshot the components currently equal (0 before the first checkpoint). */
  get version(): number {
    return this.#version;
  }

  /** Restores the newest valid snapshot into the components; returns it (undefined on first boot). */
  boot(): StateSnapshotDocument | undefined {
    const doc = this.#store.loadLatest();
    if (doc) {
      this.#apply(doc);
      this.#version = doc.stateVersion;
    }
    return doc;
  }

  /** Captures every component into a new version and returns that version. */
  checkpoint(reason: string): number {
    const doc: StateSnapshotDocument = {
      schemaVersion: 1,
      stateVersion: this.#store.nextVersion(),
      createdAt: this.#now().toISOString(),
      reason: reason.slice(0, 256),
      parentVersion: this.#version === 0 ? null : this.#version,
      ...(this.#modelId === undefined ? {} : { modelId: this.#modelId }),
      components: this.#capture(),
    };
    this.#store.save(doc);
    this.#version = doc.stateVersion;
    return doc.stateVersion;
  }

  /** Restores `version` into the components, recorded as a new version; returns the new version. */
  rollbackTo(version: number): number {
    let doc: StateSnapshotDocument;
    try {
      doc = this.#store.rollback(version, this.#now().toISOString());
    } catch (err) {
      this.revert(version); // could not record it, but the model must still go back
      throw err;
    }
    this.#apply(doc);
    this.#version = doc.stateVersion;
    return doc.stateVersion;
  }

  /**
   * Puts the components back to `version` WITHOUT writing anything: used when a change failed
   * half-way (even on a full disk the model must not stay half-changed).
   */
  revert(version: number): void {
    this.#apply(this.#store.load(version));
    this.#version = version;
  }

  #capture(): StateSnapshotDocument['components'] {
    const c = this.#components;
    return {
      classifier: c.classifier.snapshotState(),
      ...(c.transform ? { transform: c.transform.snapshotState() } : {}),
      ...(c.quarantine ? { quarantine: c.quarantine.snapshotState() } : {}),
      ...(c.detectors ? { detectors: c.detectors.snapshot() } : {}),
    };
  }

  #apply(doc: StateSnapshotDocument): void {
    const c = this.#components;
    const s = doc.components;
    if (!s.classifier) {
      throw new TinyMLOpsError('STATE_CORRUPT', `state version ${doc.stateVersion} has no classifier component`);
    }
    c.classifier.restoreState(s.classifier);
    if (c.transform && s.transform) c.transform.restoreState(s.transform);
    if (c.quarantine && s.quarantine) c.quarantine.restoreState(s.quarantine);
    if (c.detectors && s.detectors) c.detectors.restore(s.detectors);
  }
}
