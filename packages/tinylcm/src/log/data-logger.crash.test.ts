import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataLogger } from './data-logger.js';

/**
 * The data log's durability contract across process ends (DataLogger's doc comment): a clean stop
 * writes every waiting record even without close(); SIGKILL loses exactly the waiting ones and
 * nothing already flushed, leaves no torn line, and the log continues after the last record on disk.
 */
const child = fileURLToPath(new URL('./fixtures/stopping-logger.ts', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function stop(how: 'exit' | 'throw' | 'drain' | 'kill'): { dir: string; status: number | null; signal: string | null } {
  const dir = mkdtempSync(path.join(tmpdir(), `tinylcm-log-${how}-`));
  dirs.push(dir);
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, dir, how], { encoding: 'utf8' });
  return { dir, status: r.status, signal: r.signal };
}

const onDisk = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => (JSON.parse(l) as { seq: number }).seq);

describe('DataLogger across process ends', () => {
  it.each(['exit', 'throw', 'drain'] as const)('a clean stop (%s) without close() loses nothing', async (how) => {
    const { dir, status } = stop(how);
    expect(status).toBe(how === 'throw' ? 1 : 0);
    expect(onDisk(dir)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new DataLogger({ dir }).append({ after: how })).toBe(10);
  });

  it('SIGKILL loses only the records still waiting, and the log continues after the last one on disk', async () => {
    const { dir, signal } = stop('kill');
    expect(signal).toBe('SIGKILL');
    expect(onDisk(dir)).toEqual([0, 1, 2, 3, 4, 5]); // whole lines only: 6–9 were never written
    const log = new DataLogger({ dir, flushIntervalMs: 0 });
    expect(log.append({ after: 'kill' })).toBe(6);
    expect((await log.readSince(-1)).map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
