import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinysphere } from './testing/run-cli.js';

describe('tinysphere admin (the real CLI on PGlite and files)', () => {
  let dir: string;
  let storage: string[];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cli-admin-'));
    storage = ['--db', `pglite:${dir}/db`, '--blobs', `file:${dir}/blobs`];
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('sweep-blobs reports, then deletes, an old blob no row points at; a fresh one stays', async () => {
    const old = path.join(dir, 'blobs', 'ingest', '2026-01-01', 'orphan.bin');
    const fresh = path.join(dir, 'blobs', 'ingest', '2026-01-01', 'in-flight.bin');
    await mkdir(path.dirname(old), { recursive: true });
    await writeFile(old, 'orphan');
    await writeFile(fresh, 'being written');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    await utimes(old, twoDaysAgo, twoDaysAgo);

    const dry = await tinysphere(['admin', 'sweep-blobs', ...storage, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      blobs: 1,
      bytes: 6,
      sample: ['ingest/2026-01-01/orphan.bin'],
      dryRun: true,
    });
    expect((await stat(old)).size).toBe(6);

    const swept = await tinysphere(['admin', 'sweep-blobs', ...storage]);
    expect(JSON.parse(swept.stdout)).toMatchObject({ blobs: 1, dryRun: false });
    await expect(stat(old)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(fresh)).size).toBe(13);
  }, 240_000); // two CLI runs, each opening PGlite cold: 60 s at a load average of 25

  it('a bad duration is one clear line and exit code 1', async () => {
    const r = await tinysphere(['admin', 'prune-archives', ...storage, '--older-than', 'soon']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'tinysphere: INVALID_OPTION: expected a duration like 7d, 12h, 30m or 3600, got "soon"',
    );
  });
});
