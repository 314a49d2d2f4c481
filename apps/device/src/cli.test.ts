import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/tinylcm-device.mjs', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../../models/fashion-mnv2', import.meta.url));

describe.skipIf(!existsSync(path.join(BUNDLE, 'bundle.json')))(
  'tinylcm-device run refuses what it cannot honour',
  () => {
    let dir: string;
    beforeAll(async () => void (dir = await mkdtemp(path.join(tmpdir(), 'device-cli-'))));
    afterAll(() => rm(dir, { recursive: true, force: true }));

    const run = async (name: string, extra: object) => {
      const source = { type: 'dataset', name: 'fashion-mnist-sample' };
      const file = path.join(dir, `${name}.json`);
      await writeFile(
        file,
        JSON.stringify({ schemaVersion: 1, dataDir: name, model: { bundle: BUNDLE }, source, ...extra }),
      );
      return spawnSync(process.execPath, [BIN, 'run', '-c', file, '-n', '1'], { encoding: 'utf8', timeout: 120_000 });
    };

    it.each([
      [
        'a misspelt detector option',
        { drift: { detectors: [{ kind: 'cusum', options: { hh: 3 } }] } },
        /drift\.detectors\.0\.options: .*"hh"/,
      ],
      [
        'a k the bundle contradicts',
        { classifier: { k: 9 } },
        /classifier\.k is 9, but bundle fashion-mnv2@1\.0\.0 ships a KNN state with k 5/,
      ],
      [
        'a non-loopback output host',
        { output: { http: { host: '0.0.0.0' } } },
        /output\.http\.host: "0\.0\.0\.0" is reachable from other machines/,
      ],
    ])('exits with 2 on %s, naming the key', async (name, extra, message) => {
      const r = await run(name.replace(/\W+/g, '-'), extra);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
    });
  },
);
