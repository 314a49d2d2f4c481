import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrolDevice, loadCredentials, saveCredentials } from './device-credentials.js';
import { ENROLMENT_TOKEN, LoopbackDeviceServer, TOKEN } from './loopback-device-server.fixture.js';

let server: LoopbackDeviceServer;
let dir: string;
beforeEach(async () => {
  server = await new LoopbackDeviceServer().start();
  dir = await mkdtemp(join(tmpdir(), 'creds-'));
});
afterEach(() => server.close());

const request = (enrolmentToken: string) => ({
  schemaVersion: 1 as const,
  enrolmentToken,
  hardwareId: 'pi-zero-0042',
  platform: { arch: 'arm64', os: 'linux', node: '20.20.2' },
});

describe('device credentials', () => {
  it('enrols with a token and saves the credentials with mode 0600, atomically', async () => {
    const creds = await enrolDevice({ serverUrl: server.url, request: request(ENROLMENT_TOKEN) });
    expect(creds).toMatchObject({ deviceId: 'dev_00000001', deviceToken: TOKEN, hardwareId: 'pi-zero-0042' });
    const path = join(dir, 'credentials.json');
    await saveCredentials(path, creds);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['credentials.json']); // no temp file left behind
    expect(await loadCredentials(path)).toEqual(creds);
  });

  it('turns a refused token into ENROLMENT_TOKEN_INVALID and an unreachable server into UNAVAILABLE', async () => {
    const refused = await enrolDevice({ serverUrl: server.url, request: request('not-the-token') }).catch(
      (e: unknown) => e,
    );
    expect((refused as TinyMLOpsError).code).toBe('ENROLMENT_TOKEN_INVALID');
    await server.close();
    const down = await enrolDevice({ serverUrl: server.url, request: request(ENROLMENT_TOKEN) }).catch(
      (e: unknown) => e,
    );
    expect((down as TinyMLOpsError).code).toBe('UNAVAILABLE');
    server = await new LoopbackDeviceServer().start(); // for afterEach
  });

  it('returns undefined before enrolment and a clear STATE_CORRUPT error for a damaged file', async () => {
    const path = join(dir, 'credentials.json');
    expect(await loadCredentials(path)).toBeUndefined();
    await writeFile(path, '{"schemaVersion":1,"deviceId":');
    await expect(loadCredentials(path)).rejects.toThrow(
      /credentials file .* is not valid JSON; enrol the device again/,
    );
    await writeFile(path, '{"schemaVersion":1,"deviceId":"x"}');
    const err = await loadCredentials(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TinyMLOpsError);
    expect((err as TinyMLOpsError).code).toBe('STATE_CORRUPT');
    expect((err as Error).message).toMatch(/deviceId/);
  });

  it('makes a device key once (mode 0600) and sends the same one with every enrolment', async () => {
    const sent: string[] = [];
    const spy: typeof fetch = async (url, init) => (sent.push(String(init?.body)), fetch(url, init));
    const keyFile = join(dir, 'device-key');
    await enrolDevice({ serverUrl: server.url, request: request(ENROLMENT_TOKEN), keyFile, fetch: spy });
    await enrolDevice({ serverUrl: server.url, request: request(ENROLMENT_TOKEN), keyFile, fetch: spy });
    const keys = sent.map((b) => (JSON.parse(b) as { deviceKey?: string }).deviceKey);
    expect(keys[0]).toMatch(/^dk_[A-Za-z0-9_-]{43}$/);
    expect(keys[1]).toBe(keys[0]);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    await writeFile(keyFile, 'short');
    const err = await enrolDevice({ serverUrl: server.url, request: request(ENROLMENT_TOKEN), keyFile }).catch(
      (e: unknown) => e,
    );
    expect((err as TinyMLOpsError).code).toBe('STATE_CORRUPT');
  });
});
