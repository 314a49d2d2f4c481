import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { decodeFloat32, encodeFloat32, Float32Vector, Id } from '@tinymlops/contracts';
import { z } from 'zod';
import { writeFileAtomicSync } from '../sync/atomic-write.js';
import type { QuarantineBuffer, QuarantinedSample } from './quarantine-buffer.js';

const Line = z.strictObject({
  modelId: z.string(),
  sampleId: Id,
  features: Float32Vector,
  prediction: z.string(),
  confidence: z.number(),
  at: z.number(),
  imageRef: z.string().optional(),
});

/**
 * The quarantine's pending samples on disk, so they survive a restart: a state snapshot holds them
 * only when an adaptation wrote one, and a `server-assisted` device writes none until its first
 * label arrives — which may be hours after the episode. Each quarantined sample is appended as
 * one JSON line; after every snapshot the file is rewritten to what is pending then. A line torn
 * by a crash is skipped when reading. Lines name the model whose features they hold: after a model
 * switch the old model's samples are not restored (they are in another feature space).
 * @example
 * const journal = new PendingJournal('/var/lib/tinylcm/quarantine.jsonl', 'fashion-mnv2@1.0.0');
 * journal.restore(quarantine, state.version); // on boot, after the state snapshot
 * journal.record(quarantine, quarantinedSampleId, state.version); // after each frame or delivery
 */
export class PendingJournal {
  #lines = 0;
  #version = 0;

  constructor(
    readonly path: string,
    readonly modelId: string,
  ) {}

  /**
   * Re-adds the pending samples the newest snapshot does not hold (quarantined after it), in their
   * order; the quarantine's own rules (capacity, duplicates) apply as they did the first time.
   */
  restore(quarantine: QuarantineBuffer, stateVersion: number): void {
    for (const s of this.read()) quarantine.add(s);
    this.#compact(quarantine, stateVersion);
  }

  /**
   * Appends a newly quarantined sample (by id, when there is one), and rewrites the file to the
   * pending list after a new snapshot (it holds them now) or when the file grew to twice the
   * quarantine's capacity.
   */
  record(quarantine: QuarantineBuffer, quarantinedId: string | undefined, stateVersion: number): void {
    const s = quarantinedId === undefined ? undefined : quarantine.get(quarantinedId);
    if (s) {
      this.append(s);
      this.#lines++;
    }
    if (this.#lines > 2 * quarantine.capacity || stateVersion !== this.#version)
      this.#compact(quarantine, stateVersion);
  }

  #compact(quarantine: QuarantineBuffer, stateVersion: number): void {
    if (quarantine.size > 0 || existsSync(this.path)) this.rewrite(quarantine.pending());
    this.#lines = quarantine.size;
    this.#version = stateVersion;
  }

  /** Appends one quarantined sample. */
  append(s: QuarantinedSample): void {
    appendFileSync(this.path, `${JSON.stringify(this.#line(s))}\n`);
  }

  /** Replaces the file with exactly `pending` (after a snapshot, which holds them too). */
  rewrite(pending: readonly QuarantinedSample[]): void {
    writeFileAtomicSync(this.path, pending.map((s) => `${JSON.stringify(this.#line(s))}\n`).join(''));
  }

  #line(s: QuarantinedSample): z.input<typeof Line> {
    const { features, ...rest } = s;
    return { modelId: this.modelId, ...rest, features: encodeFloat32(features) };
  }

  /** This model's samples in the file, oldest first; unreadable lines are skipped. */
  read(): QuarantinedSample[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .flatMap((text) => {
        const parsed = text ? Line.safeParse(safeJson(text)) : undefined;
        if (!parsed?.success || parsed.data.modelId !== this.modelId) return [];
        const { features, imageRef, modelId: _model, ...rest } = parsed.data;
        return [{ ...rest, features: decodeFloat32(features), ...(imageRef === undefined ? {} : { imageRef }) }];
      });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
