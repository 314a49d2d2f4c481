import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { assignmentOf, copyBundle } from './fixtures/bundle-copy.js';
import { HAS_TEST_BUNDLE, openTestDevice, serverAndFolder } from './fixtures/test-device.js';

const release = generateKeyPairSync('ed25519');
const rogue = generateKeyPairSync('ed25519');
const publicPem = release.publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe.skipIf(!HAS_TEST_BUNDLE)('a device whose config names trusted keys (real model)', () => {
  const ctx = serverAndFolder('edge-signature-');
  let keysFile: string;
  beforeAll(async () => {
    keysFile = path.join(ctx.dir, 'trusted-keys.json');
    await writeFile(keysFile, JSON.stringify({ release: publicPem }));
  });

  const signedBy = (key: typeof release, keyId = 'release') => ({ key: key.privateKey, keyId });

  it('refuses unsigned and mis-signed updates, keeps its model, reports why; installs a signed one', async () => {
    const first = await copyBundle(path.join(ctx.dir, 'b100'), '1.0.0', signedBy(release));
    const model = { bundle: first, trustedKeys: keysFile };
    const device = await openTestDevice(ctx.dir, { dataDir: 'dev', model, server: ctx.serverConfig() });
    const tries: [string, Parameters<typeof copyBundle>[2], string][] = [
      ['1.1.0', undefined, 'failed'],
      ['1.2.0', signedBy(rogue, 'release'), 'failed'],
      ['1.3.0', signedBy(release), 'installed'],
    ];
    for (const [version, sign, outcome] of tries) {
      ctx.server.assignment = await assignmentOf(await copyBundle(path.join(ctx.dir, version), version, sign));
      expect((await device.sync?.syncOnce())?.model).toBe(outcome);
    }
    expect(ctx.server.reports).toMatchObject([
      { version: '1.1.0', status: 'failed', message: expect.stringMatching(/signature refused .*not signed/) },
      { version: '1.2.0', status: 'failed', message: expect.stringMatching(/signature refused .*does not verify/) },
      { version: '1.3.0', status: 'installed' },
    ]);
    expect(device.pipeline.bundle.manifest.version).toBe('1.3.0');
    expect(device.pipeline.bundle.signatureVerified).toBe(true);
    // Each round packages the telemetry gathered before it: the refusals reached the server's logs.
    const uploaded = [...ctx.server.stored.values()].map((p) => gunzipSync(p.bytes).toString('utf8')).join('\n');
    expect(uploaded.match(/"model fashion-mnv2@1\.[12]\.0 failed: signature refused/g)).toHaveLength(2);
    await device.close();
  }, 180_000);

  it('refuses to start on an unsigned bundle, and names a bad keys file', async () => {
    const unsigned = await copyBundle(path.join(ctx.dir, 'plain'), '1.0.0');
    const open = (trustedKeys: string) =>
      openTestDevice(ctx.dir, { dataDir: 'x', model: { bundle: unsigned, trustedKeys } });
    await expect(open(keysFile)).rejects.toMatchObject({ code: 'INVALID_BUNDLE', message: /not signed/ });
    await writeFile(path.join(ctx.dir, 'bad.json'), JSON.stringify({ release: 'not a key' }));
    await expect(open('bad.json')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/model\.trustedKeys names .*bad\.json.*release: a PEM public key/),
    });
  });
});
