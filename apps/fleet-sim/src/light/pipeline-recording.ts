import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  DeviceConfig,
  type DeviceConfigInput,
  decodeFloat32,
  encodeFloat32,
  type Float32Vector,
} from '@tinymlops/contracts';
import {
  EdgeDevice,
  scenarioStream,
  writeFileAtomic,
  type ImageSet,
  type ModelRuntime,
  type PipelineResult,
  type RawFrame,
} from '@tinymlops/tinylcm';
import type { DeviceSchedule } from '../fleet-scenarios.js';

/** One frame as the real pipeline saw it and what it made of it. */
export interface RecordedFrame {
  readonly frame: RawFrame;
  readonly result: PipelineResult;
}

/** A device's pipeline outputs over a stream, replayed by light devices instead of running inference. */
export interface PipelineRecording {
  /** The bundle that made it (light devices report it as their model). */
  readonly model: { modelId: string; version: string };
  readonly frames: readonly RecordedFrame[];
}

/** Options of {@link recordPipeline}. */
export interface RecordOptions {
  bundleDir: string;
  runtime: ModelRuntime;
  set: ImageSet;
  schedule: DeviceSchedule;
  frames: number;
  /** Scratch folder for the recording device (deleted after). */
  workDir: string;
  /** Where recordings are kept between runs (same bundle, schedule and length: same outputs). */
  cacheDir?: string;
  /** Drift detectors other than the bundle's defaults, named for the cache (e.g. a touchy set). */
  detectors?: { name: string; set: DeviceConfigInput['drift'] };
}

/**
 * Runs a real device's data path (the bundle's model, transform, KNN and drift detectors, as
 * EdgeDevice runs it, without a server) over a scenario stream once, and keeps every frame with
 * its PipelineResult: features, prediction, neighbours, drift events and stage timings. Kept in
 * `cacheDir` as JSON for the next run.
 * @example
 * const rec = await recordPipeline({ bundleDir, runtime, set, schedule, frames: 600, workDir });
 */
export async function recordPipeline(o: RecordOptions): Promise<PipelineRecording> {
  const variant = o.detectors ? `-${o.detectors.name}` : '';
  const name = `${o.schedule.stream}-${o.schedule.seed}-${o.frames}${variant}.json`;
  const cache = o.cacheDir && path.join(o.cacheDir, name);
  const cached = cache ? await readRecording(cache) : undefined;
  if (cached) return cached;
  const dataDir = path.join(o.workDir, `${o.schedule.stream}-${o.schedule.seed}${variant}`);
  const config = DeviceConfig.parse({
    schemaVersion: 1,
    dataDir,
    model: { bundle: o.bundleDir },
    source: { type: 'dataset', name: 'fashion-mnist-sample', scenario: o.schedule.stream, seed: o.schedule.seed },
    ...(o.detectors ? { drift: o.detectors.set } : {}),
  });
  const device = await EdgeDevice.open({ config, baseDir: process.cwd(), runtime: o.runtime });
  const frames: RecordedFrame[] = [];
  try {
    const stream = scenarioStream(o.set, {
      scenario: o.schedule.stream,
      frames: o.frames,
      seed: o.schedule.seed,
      episodes: o.schedule.episodes,
    });
    for (const f of stream.frames) {
      const frame: RawFrame = { data: Uint8Array.from(f.pixels), width: f.width, height: f.height, channels: 1 };
      frames.push({ frame, result: await device.process(frame) });
    }
  } finally {
    await device.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  const { id, version } = device.pipeline.bundle.manifest;
  const recording = { model: { modelId: id, version }, frames };
  if (cache) await writeRecording(cache, recording);
  return recording;
}

/** 2: results carry the detector set's episode state (`drift`). */
const RECORDING_VERSION = 2;

/** The JSON form: typed arrays as base64. */
interface StoredFrame {
  frame: { data: string; width: number; height: number; channels: number };
  result: Omit<PipelineResult, 'features'> & { features: Float32Vector };
}

async function writeRecording(file: string, r: PipelineRecording): Promise<void> {
  const frames: StoredFrame[] = r.frames.map(({ frame, result }) => ({
    frame: { ...frame, data: Buffer.from(frame.data).toString('base64') },
    result: { ...result, features: encodeFloat32(result.features) },
  }));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify({ schemaVersion: RECORDING_VERSION, model: r.model, frames }));
}

async function readRecording(file: string): Promise<PipelineRecording | undefined> {
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as {
      schemaVersion: number;
      model: PipelineRecording['model'];
      frames: StoredFrame[];
    };
    if (json.schemaVersion !== RECORDING_VERSION) return undefined; // recorded by an older pipeline
    return {
      model: json.model,
      frames: json.frames.map(({ frame, result }) => ({
        frame: { ...frame, data: new Uint8Array(Buffer.from(frame.data, 'base64')) } as RawFrame,
        result: { ...result, features: decodeFloat32(result.features) },
      })),
    };
  } catch {
    return undefined; // absent or torn: record again
  }
}
