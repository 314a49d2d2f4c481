import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../random/prng.js';
import { blobDevice } from './fixtures/blob-device.js';

const child = fileURLToPath(new URL('./fixtures/crash-device.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'device-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the adapting device and SIGKILLs it after `killAfter` reported pages; resolves with the last reported state version. */
function runAndKill(killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0;
    let last = 0;
    let buffered = '';
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        last = Number(line.split(' ')[1]);
        if (++seen === killAfter) p.kill('SIGKILL');
      }
    });
    p.on('exit', (_c, signal) =>
      signal === 'SIGKILL' ? resolve(last) : reject(new Error(`device exited: ${stderr}`)),
    );
  });
}

describe('DeviceAdaptation crash safety', () => {
  it('after SIGKILL mid-adaptation, reboots on a valid snapshot whose classifier it restores exactly', async () => {
    const rand = mulberry32(7);
    let previous = 0;
    for (let i = 0; i < 6; i++) {
      const reported = await runAndKill(1 + Math.floor(rand() * 8));
      const d = blobDevice('server-assisted', dir, '1.0.0', 3);
      const v = d.adaptation.stateVersion;
      expect(v, `iteration ${i}`).toBeGreaterThanOrEqual(reported); // durability of what the device saw complete
      expect(v).toBeGreaterThan(previous);
      const stored = d.adaptation.store.load(v).components.classifier;
      expect(d.bytes()).toBe(JSON.stringify(stored));
      // The journal never names a version newer than the state the device came back on.
      const events = d.adaptation.tracker.readSince(0);
      expect(Math.max(...events.map((e) => e.stateVersionAfter))).toBeLessThanOrEqual(v);
      previous = v;
    }
  }, 300_000);
});
