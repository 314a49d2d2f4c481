import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/tinylcm-device.mjs', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../../models/fashion-mnv2', import.meta.url));

/** Resolves with the exit code once `child` exits, or with 'alive' when it still runs after `ms`. */
function exitWithin(child: ChildProcess, ms: number): Promise<number | null | 'alive'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('alive'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Resolves once a line of `child`'s output matches `re`. */
function lineMatching(child: ChildProcess, re: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const seen = (c: Buffer) => {
      text += c.toString();
      if (re.test(text)) resolve();
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.once('exit', () => reject(new Error(`exited before printing ${re}:\n${text}`)));
  });
}

async function fileAppears(file: string): Promise<void> {
  while (!existsSync(file)) await new Promise((r) => setTimeout(r, 50));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!existsSync(path.join(BUNDLE, 'bundle.json')))('tinylcm-device run and SIGTERM', () => {
  let dir: string;
  beforeAll(async () => void (dir = await mkdtemp(path.join(tmpdir(), 'device-sigterm-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // Each camera writes its shell's pid, then hangs: without output (per-frame) or mid-stream.
  it.each([
    ['a per-frame camera command that hangs', 'per-frame', 'exec sleep 600'],
    ['a stream camera command that hangs', 'mjpeg-stream', 'sleep 600; echo never'],
    ['a camera command that keeps failing', 'per-frame', 'echo broken >&2; exit 1'],
  ])(
    'exits promptly with %s, and leaves no camera process behind',
    async (_, mode, hang) => {
      const pidFile = path.join(dir, `${mode}-${hang.length}.pid`);
      const command = `echo $$ >> ${pidFile}; ${hang}`;
      const source = { type: 'camera', command, mode };
      const config = { schemaVersion: 1, dataDir: 'data', model: { bundle: BUNDLE }, source };
      const file = path.join(dir, `${mode}-${hang.length}.json`);
      await writeFile(file, JSON.stringify(config));
      const child = spawn(process.execPath, [BIN, 'run', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        await lineMatching(child, /tinylcm-device: device running/);
        await fileAppears(pidFile); // the source has started its camera command
        child.kill('SIGTERM');
        // Far beyond the 2 s the shutdown takes: the test shows it stops at all, not how fast.
        expect(await exitWithin(child, 20_000)).toBe(0);
        const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
        // A grandchild (e.g. the stream's `sleep`) is reaped by init once its shell is gone.
        await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([]);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
    120_000,
  );
});
