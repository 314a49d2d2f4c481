import type { Writable } from 'node:stream';
import type { LocalOutputConfig, ModelRef } from '@tinymlops/contracts';
import type { DeviceFrame } from '@tinymlops/tinylcm';
import { toLocalPrediction } from './local-prediction.js';
import { PredictionStreamServer } from './prediction-stream-server.js';

/** The outputs `device.json` → `output` asks for, fed one processed frame at a time. */
export interface LocalOutputs {
  /** Hands one frame's prediction to every output; never waits for a reader. */
  publish(frame: DeviceFrame): void;
  /** The event stream's URL, when `output.http` is set. */
  readonly streamUrl: string | undefined;
  /** Lines a reader too slow to keep up missed (they are skipped, not buffered). */
  readonly skippedLines: number;
  close(): Promise<void>;
}

/** Options of {@link openLocalOutputs}. */
export interface LocalOutputsOptions {
  /** The model the device runs now (it may change with an update). */
  model: () => ModelRef;
  /** Where JSON lines go (default `process.stdout`). */
  stdout?: Writable;
  now?: () => number;
}

/**
 * Opens the local outputs of `device.json` → `output`: JSON lines on stdout and/or the loopback
 * event stream ({@link PredictionStreamServer}).
 * @example
 * const outputs = await openLocalOutputs(config.output, { model: () => ({ modelId, version }) });
 * outputs.publish(await device.processFrame(frame));
 */
export async function openLocalOutputs(config: LocalOutputConfig, o: LocalOutputsOptions): Promise<LocalOutputs> {
  const server = config.http ? await PredictionStreamServer.start(config.http) : undefined;
  const stdout = config.jsonLines ? (o.stdout ?? process.stdout) : undefined;
  const now = o.now ?? Date.now;
  let blocked = false;
  let skipped = 0;
  stdout?.on('drain', () => (blocked = false));
  return {
    publish(frame) {
      if (!server && !stdout) return;
      const p = toLocalPrediction(frame, o.model(), new Date(now()));
      server?.publish(p);
      if (!stdout) return;
      if (blocked) skipped++;
      else blocked = !stdout.write(`${JSON.stringify(p)}\n`);
    },
    get streamUrl() {
      return server?.url;
    },
    get skippedLines() {
      return skipped;
    },
    close: async () => void (await server?.close()),
  };
}
