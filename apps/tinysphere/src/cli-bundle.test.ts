import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinysphere } from './testing/run-cli.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MODEL = path.join(REPO, 'models/fashion-mnv2');
const hasModel = existsSync(path.join(MODEL, 'model.tflite'));
if (!hasModel) console.warn(`tinysphere bundle CLI test SKIPPED: ${MODEL}/model.tflite not found`);

describe.skipIf(!hasModel)('tinysphere bundle (the real CLI)', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'cli-bundle-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const build = (out: string, extra: string[] = []) =>
    tinysphere([
      ...['bundle', 'build', '--model', path.join(MODEL, 'model.tflite'), '--labels', path.join(MODEL, 'labels.txt')],
      ...['--examples', path.join(REPO, 'datasets/fashion-mnist'), '--out', out, '--id', 'cli-fashion'],
      ...['--knn-per-class', '10', '--fit-per-class', '30', '--holdout-per-class', '8', '--pca', '32'],
      ...extra,
    ]);

  it('makes a key pair, builds a signed bundle from the committed sample, and verifies it', async () => {
    const keys = await tinysphere(['bundle', 'keygen', '--key-id', 'ci-key', '--out-dir', path.join(dir, 'keys')]);
    expect(keys.code).toBe(0);
    const { trustedKeys, privateKey } = JSON.parse(keys.stdout);
    await writeFile(path.join(dir, 'trusted.json'), JSON.stringify(trustedKeys));
    const built = await build(path.join(dir, 'b1'), ['--sign-key', privateKey, '--key-id', 'ci-key']);
    expect(built.code, built.stderr).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ id: 'cli-fashion', labels: 8, signedBy: 'ci-key' });
    expect(built.stderr).toContain('features: ');
    const ok = await tinysphere([
      'bundle',
      'verify',
      path.join(dir, 'b1'),
      '--trusted-keys',
      path.join(dir, 'trusted.json'),
    ]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ version: '1.0.0', signedBy: 'ci-key' });
  });

  it('refuses a tampered bundle, an unknown signer and a non-empty output folder, naming the file', async () => {
    await appendFile(path.join(dir, 'b1', 'labels.txt'), 'extra\n');
    const tampered = await tinysphere(['bundle', 'verify', path.join(dir, 'b1')]);
    expect([tampered.code, tampered.stderr]).toEqual([1, expect.stringMatching(/INVALID_BUNDLE: .*labels\.txt has/)]);
    const again = await build(path.join(dir, 'b1'));
    expect(again.stderr).toMatch(/b1: the output folder is not empty \(use --force/);
    const noModel = await tinysphere([
      'bundle',
      'build',
      ...['--model', 'missing.tflite', '--labels', 'l.txt'],
      ...['--examples', dir, '--out', 'o', '--id', 'x'],
    ]);
    expect(noModel.stderr).toContain('missing.tflite: cannot read the model file (ENOENT)');
  });

  it('signs an unsigned bundle afterwards; a key it does not trust is refused', async () => {
    const built = await build(path.join(dir, 'b2'));
    expect(JSON.parse(built.stdout).signedBy).toBeNull();
    const before = await readFile(path.join(dir, 'b2', 'bundle.json'), 'utf8');
    const keyFile = path.join(dir, 'keys', 'ci-key.private.pem');
    const signed = await tinysphere(['bundle', 'sign', path.join(dir, 'b2'), '--key', keyFile, '--key-id', 'ci-key']);
    expect(signed.code).toBe(0);
    expect(JSON.parse(await readFile(path.join(dir, 'b2', 'bundle.json'), 'utf8'))).toEqual({
      ...JSON.parse(before),
      signature: { algorithm: 'ed25519', keyId: 'ci-key', value: expect.any(String) },
    });
    await writeFile(path.join(dir, 'none.json'), '{}');
    const refused = await tinysphere([
      'bundle',
      'verify',
      path.join(dir, 'b2'),
      '--trusted-keys',
      path.join(dir, 'none.json'),
    ]);
    expect(refused.stderr).toMatch(/signed with unknown key "ci-key"/);
  });
});
