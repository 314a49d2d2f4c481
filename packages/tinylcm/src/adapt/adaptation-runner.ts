import type { AdaptationEvent } from '@tinymlops/contracts';
import type { AdaptiveState } from '../state/adaptive-state.js';
import type { AdaptationTracker } from './adaptation-tracker.js';

/** What an adapter wants to change, described before it changes it. */
export interface AdaptationChange {
  action: AdaptationEvent['action'];
  label?: string;
  /** Samples added to or removed from the KNN. */
  samples: number;
  reason: string;
  metrics?: Record<string, number>;
  /** Quarantined samples this change consumed (the guard discards them if it rolls back). */
  sampleIds?: readonly string[];
}

/** Options of {@link AdaptationRunner.rollback}. */
export interface RollbackOptions {
  metrics?: Record<string, number>;
  /** Runs after the restore (discarding the undone adaptation's samples); captured in one more version. */
  cleanup?: () => void;
  /**
   * The event's action (default `rollback`, the guard's own). Another action (a revert a person
   * asked for) is announced to the listeners like a committed change, so a guard watch ends.
   */
  action?: AdaptationEvent['action'];
}

/** Called after every committed change (the guard listens here). */
export type AdaptationListener = (event: AdaptationEvent, change: AdaptationChange) => void;

/** Options of {@link AdaptationRunner}. */
export interface AdaptationRunnerOptions {
  state: AdaptiveState;
  tracker: AdaptationTracker;
  /** Injected clock for event times (default `new Date()`). */
  now?: () => Date;
}

/**
 * The one way adapters change the model: snapshot before, apply, snapshot after, record an
 * adaptation event carrying both versions. If `apply` throws, the components are restored to
 * the "before" snapshot (and so they are when the "after" snapshot cannot be written), so a failed
 * adaptation never leaves a half-changed or unrecorded classifier.
 *
 * @example
 * const runner = new AdaptationRunner({ state, tracker });
 * runner.commit({ action: 'class-reinforced', label: 'cat', samples: 3, reason: 'cluster near cat' },
 *   () => reps.forEach((r) => knn.add(r.features, 'cat')));
 */
export class AdaptationRunner {
  readonly #state: AdaptiveState;
  readonly #tracker: AdaptationTracker;
  readonly #now: () => Date;
  readonly #listeners: AdaptationListener[] = [];
  #inBatch = false;
  /** True inside a batch right after a commit: the components still equal the last snapshot. */
  #freshAfter = false;

  constructor(options: AdaptationRunnerOptions) {
    this.#state = options.state;
    this.#tracker = options.tracker;
    this.#now = options.now ?? (() => new Date());
  }

  /** Registers a listener for committed changes. */
  onCommitted(listener: AdaptationListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Runs several commits back to back (a feedback page, one heuristic pass): nothing else touches
   * the components in between, so each commit's "before" is the previous one's "after" and is
   * not written again. Halves the snapshot writes of a batch.
   */
  batch<T>(work: () => T): T {
    this.#inBatch = true;
    this.#freshAfter = false;
    try {
      return work();
    } finally {
      this.#inBatch = false;
      this.#freshAfter = false;
    }
  }

  /** Applies `apply` between two snapshots and records the event; returns it. */
  commit(change: AdaptationChange, apply: () => void): AdaptationEvent {
    const what = `${change.action}${change.label ? ` ${change.label}` : ''}`;
    const before = this.#freshAfter ? this.#state.version : this.#state.checkpoint(`before ${what}`);
    this.#freshAfter = false;
    let after: number;
    try {
      apply();
      after = this.#state.checkpoint(`after ${what}`);
    } catch (err) {
      this.#state.revert(before); // read-only: works even when the failure was a full disk
      throw err;
    }
    this.#freshAfter = this.#inBatch;
    const event = this.#record(change, before, after);
    for (const l of this.#listeners) l(event, change);
    return event;
  }

  /** Records a decision that changed nothing (e.g. the server confirmed a pseudo-label). */
  note(change: AdaptationChange): AdaptationEvent {
    return this.#record(change, this.#state.version, this.#state.version);
  }

  /**
   * Restores `version` (as a new version) and records a `rollback` event. `cleanup` runs after the
   * restore (e.g. discarding the samples of the undone adaptation) and is captured in one more
   * snapshot, so the event's `stateVersionAfter` is the state the device really continues from.
   */
  rollback(version: number, reason: string, options: RollbackOptions = {}): AdaptationEvent {
    const before = this.#state.version;
    let after = this.#state.rollbackTo(version);
    if (options.cleanup) {
      options.cleanup();
      after = this.#state.checkpoint(`after rollback to ${version}`);
    }
    const change = { action: options.action ?? 'rollback', samples: 0, reason };
    const event = this.#record({ ...change, ...(options.metrics ? { metrics: options.metrics } : {}) }, before, after);
    if (options.action) for (const l of this.#listeners) l(event, change);
    return event;
  }

  #record(change: AdaptationChange, before: number, after: number): AdaptationEvent {
    return this.#tracker.record({
      at: this.#now().toISOString(),
      action: change.action,
      ...(change.label === undefined ? {} : { label: change.label }),
      samples: change.samples,
      stateVersionBefore: before,
      stateVersionAfter: after,
      reason: change.reason.slice(0, 1024),
      ...(change.metrics ? { metrics: change.metrics } : {}),
      ...(change.sampleIds?.length ? { sampleIds: change.sampleIds.slice(0, 1000) } : {}),
    });
  }
}
