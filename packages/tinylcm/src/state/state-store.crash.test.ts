import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../random/prng.js';
import { StateStore } from './state-store.js';

const writerSource = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'state-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// A timed-out test would otherwise leave its writer saving in a loop for ever.
const live = new Set<ChildProcess>();
afterEach(() => live.forEach((c) => c.kill('SIGKILL')));

/**
 * SIGKILLs per run: 20 in `npm test`; `STATE_CRASH_KILLS=1000` for the soak-tagged run
 * (`npm run soak:state-store`).
 */
const KILLS = Number(process.env['STATE_CRASH_KILLS'] ?? 20);

/**
 * The writer, bundled once into one plain .mjs: a thousand starts through a TypeScript loader
 * would spend minutes compiling; bundled, each start costs a plain `node` launch.
 */
let writer = '';
beforeAll(async () => {
  writer = join(dir, '..', `${basename(dir)}-crash-writer.mjs`);
  await build({
    entryPoints: [writerSource],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: writer,
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(writer, { force: true }));

/**
 * Starts the writer and SIGKILLs it right after it has reported `killAfter` completed saves. The
 * writer keeps saving while the signal travels, so the kill lands at an arbitrary point of a save
 * (mid-write, between fsync and rename, during pruning). Resolves with the last reported version.
 */
function runAndKill(killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, '262144'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let seen = 0;
    let last = 0;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        last = Number(line.split(' ')[1]);
        if (++seen === killAfter) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) =>
      live.delete(child) && signal === 'SIGKILL'
        ? resolve(last)
        : reject(new Error(`writer exited without being killed: ${stderr}`)),
    );
  });
}

describe('StateStore crash safety', () => {
  it(
    `always restarts on a complete, internally consistent snapshot after ${KILLS} SIGKILLs at random points`,
    async () => {
      const rand = mulberry32(20261126);
      let previousLoaded = 0;
      for (let i = 0; i < KILLS; i++) {
        const reported = await runAndKill(1 + Math.floor(rand() * 6));
        const store = new StateStore({ dir, keepVersions: 3, logger: { warn: () => undefined } });
        const doc = store.loadLatest();
        expect(doc, `iteration ${i}`).toBeDefined();
        const c = doc!.components.classifier as { version: number; payload: string; digest: string };
        const digest = createHash('sha256').update(`${c.version}:${c.payload}`).digest('hex');
        expect(c.digest).toBe(digest);
        expect(c.version).toBe(doc!.stateVersion);
        // Durability: everything the writer saw `save` return is on disk; versions never go back.
        expect(doc!.stateVersion).toBeGreaterThanOrEqual(reported);
        expect(doc!.stateVersion).toBeGreaterThan(previousLoaded);
        expect(store.list().length).toBeLessThanOrEqual(4);
        previousLoaded = doc!.stateVersion;
        // A long run says how far it got: a timeout then still tells how many kills passed.
        if (KILLS >= 100 && (i + 1) % 100 === 0) console.log(`state store: ${i + 1} of ${KILLS} SIGKILLs survived`);
      }
    },
    // Each kill is a node start; on a machine shared with a load of 20 one took over 3 s.
    60_000 + KILLS * 15_000,
  );
});
