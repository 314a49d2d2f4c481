import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { LocalPrediction } from '@tinymlops/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { runDevice } from '../run-device.js';
import { deviceConfigFile, HAS_TEST_BUNDLE, heldOutSource } from '../testing/device-config-file.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CONSUMER = path.join(ROOT, 'examples/local-consumer/consume.mjs');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Runs the example consumer against `url` until it has shown `count` predictions. */
function consume(url: string, count: number): Promise<{ code: number | null; lines: string[] }> {
  const args = [CONSUMER, url, '--count', String(count)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout.on('data', (c: Buffer) => (text += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, lines: text.trim().split('\n') })));
}

describe.skipIf(!HAS_TEST_BUNDLE)('tinylcm-device local output (real model)', () => {
  it('hands every prediction with its drift state to JSON lines and to the example consumer over loopback', async () => {
    const output = { jsonLines: true, http: { port: 0 } };
    const { dir, file } = await deviceConfigFile({ source: heldOutSource(20), inference: { intervalMs: 5 }, output });
    dirs.push(dir);
    const stdout = new PassThrough();
    let jsonLines = '';
    stdout.on('data', (c: Buffer) => (jsonLines += c.toString()));
    let stop!: () => void;
    const stopSignal = new Promise<void>((resolve) => (stop = resolve));
    let consumer: Promise<{ code: number | null; lines: string[] }> | undefined;
    const out = (line: string) => {
      const url = /server-sent events at (\S+)/.exec(line)?.[1];
      if (url) consumer = consume(url, 150).finally(stop);
    };
    const summary = await runDevice({ configFile: file, reportEvery: 0, out, stdout, stopSignal });
    const shown = await consumer!;
    expect(shown.code).toBe(0);
    expect(shown.lines).toHaveLength(150);
    expect(shown.lines.every((l) => /^frame \d+ {2}\S.* {2}\d\.\d\d {2}drift: /.test(l))).toBe(true);
    // The consumer sees frames from when it connects (no replay): with fast frames it may connect
    // after the episode's first frame, so it must show the open episode, not necessarily its start.
    expect(shown.lines.some((l) => /drift: DRIFT ep_\S+/.test(l))).toBe(true);
    const predictions = jsonLines
      .trim()
      .split('\n')
      .map((l) => LocalPrediction.parse(JSON.parse(l)));
    expect(predictions).toHaveLength(summary.frames);
    expect(predictions.map((p) => p.frameIndex)).toEqual([...Array(summary.frames).keys()]);
    expect(predictions.filter((p) => p.drift.phase === 'start')).toHaveLength(summary.episodesStarted);
    expect(summary.episodesStarted).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
