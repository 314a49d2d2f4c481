import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tinymlops/testkit';
import { enrolDevice } from '@tinymlops/tinylcm';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/tinysphere.mjs', import.meta.url));

/** `tinysphere serve --tls-cert --tls-key` with a self-signed certificate made here, for 127.0.0.1. */
describe('TLS (the real CLI)', () => {
  let dir: string;
  let server: ChildProcess;
  let url: string;
  let ca: Buffer;
  let tlsFetch: typeof fetch;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tinysphere-tls-'));
    const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    ca = await readFile(cert);
    const port = await freePort();
    url = `https://127.0.0.1:${port}`;
    const args = ['serve', '--db', 'pglite:memory', '--blobs', `file:${dir}/blobs`, '--port', String(port)];
    args.push('--tls-cert', cert, '--tls-key', key, '--demo-enrolment-token', 'demo-open-enrolment');
    server = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      server.stdout?.on('data', (d: Buffer) => (out += d.toString()).includes('Server listening') && resolve());
      server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    });
    const dispatcher = new Agent({ connect: { ca } });
    tlsFetch = ((input: string | URL, init?: RequestInit) =>
      undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
  });
  afterAll(async () => {
    server?.kill('SIGTERM');
    await new Promise((r) => server?.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  });

  it('answers over HTTPS with HSTS, trusting only the certificate it was given', async () => {
    const r = await tlsFetch(`${url}/readyz`);
    expect(r.status).toBe(200);
    expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    await expect(fetch(`${url}/readyz`)).rejects.toThrow(); // an unknown certificate is refused
    await expect(fetch(url.replace('https:', 'http:') + '/readyz')).rejects.toThrow(); // no plain HTTP on its port
  });

  it('enrols a TinyLCM device over it', async () => {
    const creds = await enrolDevice({
      serverUrl: url,
      fetch: tlsFetch,
      request: {
        schemaVersion: 1,
        enrolmentToken: 'demo-open-enrolment',
        hardwareId: 'hw-tls-1',
        platform: { arch: 'x64', os: 'linux', node: process.versions.node },
      },
    });
    expect(creds.deviceId).toMatch(/^dev_/);
  });

  it('refuses --tls-cert without --tls-key with one clear line', () => {
    let err: { status: number; stderr: Buffer } | undefined;
    try {
      execFileSync(process.execPath, [BIN, 'serve', '--db', 'pglite:memory', '--tls-cert', 'x.pem'], { stdio: 'pipe' });
    } catch (e) {
      err = e as { status: number; stderr: Buffer };
    }
    expect(err?.status).toBe(1);
    expect(err?.stderr.toString().trim()).toBe(
      'tinysphere: INVALID_OPTION: --tls-cert and --tls-key go together: give both, or neither',
    );
  });
});
