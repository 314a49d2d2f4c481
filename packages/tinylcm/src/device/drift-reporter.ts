import { randomBytes } from 'node:crypto';
import { encodeFloat32, type DriftEvent } from '@tinymlops/contracts';
import type { RawFrame } from '../features/preprocess.js';
import type { PipelineDriftEvent, PipelineResult } from '../pipeline.js';
import type { DriftSampleInput, PackageParts } from '../sync/package-builder.js';
import type { FrameEpisode } from './episode-tracker.js';
import { encodePng } from './frame-png.js';

/** Options of {@link DriftReporter}. */
export interface DriftReporterOptions {
  /** Samples kept per episode (the first frames of the episode; default 10). */
  samplesPerEpisode?: number;
  /** Attach the frame as a PNG to each sample (default true). */
  images?: boolean;
  /** Wall clock, ms since the epoch. */
  now?: () => number;
  /** Receives each finished batch of drift parts (the device packages and enqueues them). */
  emit: (parts: NonNullable<PackageParts['drift']>) => Promise<void>;
}

interface OpenEpisode {
  id: string;
  start: DriftEvent;
  sent: boolean;
  samples: DriftSampleInput[];
  taken: number;
}

const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url')}`;

/**
 * Turns the device's episodes (from its one `EpisodeTracker`) into drift reports: one event when
 * an episode starts, one when it ends, and up to `samplesPerEpisode` samples (features,
 * prediction, neighbours and the frame as PNG) from the episode's first frames. The start event
 * travels with the first samples as soon as they are collected (or at the episode end, if that
 * comes first), so a long episode is visible on the server while it lasts.
 * @example
 * const reporter = new DriftReporter({ emit: (drift) => packages.enqueue({ drift }) });
 * await reporter.observe(result, frame, episodes.observe(result.driftEvents));
 */
export class DriftReporter {
  readonly samplesPerEpisode: number;
  #episode: OpenEpisode | undefined;
  readonly #now: () => number;
  readonly #images: boolean;

  constructor(private readonly options: DriftReporterOptions) {
    this.samplesPerEpisode = options.samplesPerEpisode ?? 10;
    this.#now = options.now ?? Date.now;
    this.#images = options.images ?? true;
  }

  /**
   * Reports one frame's part of an episode; returns the id of the drift sample made of it, if any.
   * @example
   * const sampleId = await reporter.observe(result, frame, episode);
   */
  async observe(result: PipelineResult, frame: RawFrame, episode: FrameEpisode): Promise<string | undefined> {
    const { episodeId, started, ended } = episode;
    if (episodeId === undefined) return undefined;
    if (this.#episode?.id !== episodeId) {
      const start = this.event(episodeId, 'start', result, started);
      this.#episode = { id: episodeId, start, sent: false, samples: [], taken: 0 };
    }
    const ep = this.#episode;
    let sampleId: string | undefined;
    if (ep.taken < this.samplesPerEpisode) {
      const sample = await this.sample(ep.id, result, frame);
      sampleId = sample.sampleId;
      ep.samples.push(sample);
      ep.taken++;
      if (ep.taken === this.samplesPerEpisode) await this.flush(ep, []);
    }
    if (ended) {
      this.#episode = undefined;
      await this.flush(ep, [this.event(ep.id, 'end', result, ended)]);
    }
    return sampleId;
  }

  private async flush(ep: OpenEpisode, extra: DriftEvent[]): Promise<void> {
    const events = ep.sent ? extra : [{ ...ep.start, sampleIds: ep.samples.map((s) => s.sampleId) }, ...extra];
    ep.sent = true;
    const samples = ep.samples.splice(0);
    if (events.length || samples.length) await this.options.emit({ events, samples });
  }

  private event(
    episodeId: string,
    phase: 'start' | 'end',
    r: PipelineResult,
    e: PipelineDriftEvent | undefined,
  ): DriftEvent {
    return {
      eventId: newId('evt'),
      episodeId,
      phase,
      at: new Date(this.#now()).toISOString(),
      frameIndex: r.frameIndex,
      detector: { kind: e?.kind ?? 'unknown', name: e?.detector ?? 'unknown' },
      statistics: finite(e?.statistics),
      thresholds: finite(e?.thresholds),
      sampleIds: [],
    };
  }

  private async sample(episodeId: string, r: PipelineResult, frame: RawFrame): Promise<DriftSampleInput> {
    const sample: DriftSampleInput = {
      sampleId: newId('smp'),
      episodeId,
      capturedAt: new Date(this.#now()).toISOString(),
      frameIndex: r.frameIndex,
      prediction: { label: r.label ?? 'unknown', confidence: Math.min(1, Math.max(0, r.confidence)) },
      neighbours: r.neighbours.map((n) => ({ label: n.label, distance: n.distance })),
      features: encodeFloat32(r.features),
    };
    if (this.#images) {
      sample.image = {
        bytes: await encodePng(frame),
        mediaType: 'image/png',
        width: frame.width,
        height: frame.height,
      };
    }
    return sample;
  }
}

function finite(values: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => Number.isFinite(v)));
}
