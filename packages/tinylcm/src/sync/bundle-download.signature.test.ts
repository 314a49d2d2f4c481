import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadBundle } from './bundle-download.js';
import { DeviceApi } from './device-api.js';
import { TOKEN } from './loopback-device-server.fixture.js';
import { SyncHarness, bundleFixture as bundle } from './sync-harness.fixture.js';

let h: SyncHarness;
beforeEach(async () => {
  h = await SyncHarness.create();
});
afterEach(() => h.close());

const pem = (k: { publicKey: { export(o: object): string | Buffer } }) =>
  k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const release = generateKeyPairSync('ed25519');
const rogue = generateKeyPairSync('ed25519');
const TRUSTED = { release: pem(release) };

/** Downloads the server's current assignment with the given device keys. */
async function download(trustedKeys?: Record<string, string>) {
  const api = new DeviceApi({ serverUrl: h.server.url, deviceToken: TOKEN });
  const assignment = h.server.assignment!.body;
  return downloadBundle(api, assignment, join(h.dir, 'staging'), trustedKeys ? { trustedKeys } : {});
}

describe('downloadBundle signature check', () => {
  it('accepts a bundle signed by a key the device trusts', async () => {
    h.server.assignment = await bundle({ sign: { key: release.privateKey, keyId: 'release' } });
    expect(await download(TRUSTED)).toMatchObject({ ok: true });
  });

  it.each([
    ['unsigned', undefined, /not signed/],
    ['signed by an unknown key id', { key: rogue.privateKey, keyId: 'rogue' }, /unknown key "rogue"/],
    ['signed with the wrong key under a trusted id', { key: rogue.privateKey, keyId: 'release' }, /does not verify/],
  ])('refuses a bundle %s, saying why', async (_, sign, why) => {
    h.server.assignment = await bundle(sign ? { sign } : {});
    const d = await download(TRUSTED);
    expect(d).toMatchObject({ ok: false, kind: 'invalid' });
    expect(!d.ok && d.message).toMatch(/signature refused \(checked against the device's model\.trustedKeys\)/);
    expect(!d.ok && d.message).toMatch(why);
  });

  it("checks against the server's keys when the device names none", async () => {
    const fixture = await bundle();
    h.server.assignment = { ...fixture, body: { ...fixture.body, trustedKeys: TRUSTED } };
    const d = await download();
    expect(!d.ok && d.message).toMatch(/checked against the server's trusted keys\): .*not signed/);
  });

  it("prefers the device's keys: the server cannot widen what the device trusts", async () => {
    const fixture = await bundle({ sign: { key: rogue.privateKey, keyId: 'rogue' } });
    h.server.assignment = { ...fixture, body: { ...fixture.body, trustedKeys: { rogue: pem(rogue) } } };
    expect(await download()).toMatchObject({ ok: true }); // no device keys: the server's apply
    expect(await download(TRUSTED)).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('checks hashes only when nobody names keys', async () => {
    h.server.assignment = await bundle();
    expect(await download()).toMatchObject({ ok: true });
  });
});
