import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTinySphere, TinySphereProcess } from '../apps/fleet-sim/src/tinysphere-process.js';
import { installRelease, packDevice, runInstalled, SLOW_TESTS } from './device-release-testing.js';
import { nodeBinary } from './node-binaries.mjs';

/**
 * The device release on the Raspberry Pi's CPUs: installed by install.sh with npm's
 * --cpu/--os/--libc for linux-arm64 (Node 24) and linux-arm (armv7, Node 20: npm's newest armv7l
 * build), run under qemu-user against a loopback TinySphere (x64). Each device must enrol, get a
 * package acknowledged and ingested, and send the drift samples the x64 build sends: same frames,
 * same predictions, features equal within float tolerance.
 * Slow (minutes): runs when TINYMLOPS_SLOW_TESTS=1, as .ci/run sets it.
 */
const ARCHES = [
  { name: 'arm64', build: 'arm64-24', qemu: 'qemu-aarch64-static', sysroot: '/usr/aarch64-linux-gnu', cpu: 'arm64' },
  { name: 'armv7', build: 'armv7l-20', qemu: 'qemu-arm-static', sysroot: '/usr/arm-linux-gnueabihf', cpu: 'arm' },
] as const;
const FRAMES = 40;
const TOKEN = 'qemu-test-enrolment';
/** Float32 features of the same frame on another CPU and Node may differ in the last bits. */
const FEATURE_TOLERANCE = 1e-3;

interface Sample {
  label: string;
  features: Float32Array;
}
interface SampleSummary {
  sampleId: string;
  capturedAt: string;
  predictedLabel: string;
}

describe.runIf(SLOW_TESTS)('the device release under qemu-user (linux-arm64, linux-arm)', () => {
  let work: string;
  let tarball: string;
  let server: TinySphereProcess;
  let viewerToken: string;
  let x64: Sample[];

  beforeAll(async () => {
    for (const a of ARCHES) {
      if (existsSync(`/usr/bin/${a.qemu}`) && existsSync(a.sysroot)) continue;
      throw new Error(
        `${a.qemu} or ${a.sysroot} is missing: .ci/run installs qemu-user-static and the cross libraries`,
      );
    }
    work = await mkdtemp(path.join(tmpdir(), 'device-arm-'));
    tarball = packDevice();
    const storage = { db: `pglite:${work}/db`, blobs: `file:${work}/blobs` };
    const admin = ['admin', 'create-token', '--role', 'viewer', '--name', 'qemu-test'];
    const token = await runTinySphere([...admin, '--db', storage.db, '--blobs', storage.blobs]);
    viewerToken = (JSON.parse(token) as { apiToken: string }).apiToken;
    server = await TinySphereProcess.start({ ...storage, port: 0, demoEnrolmentToken: TOKEN });
    x64 = await serverSamples(await installAndRun('x64', process.execPath, {}));
    expect(x64.length).toBeGreaterThan(0);
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const a of ARCHES) {
    it(`${a.name}: installs for linux-${a.cpu}, enrols, gets a package acknowledged, computes the x64 features`, async () => {
      // What `node` is on that CPU: its Node build, run by qemu-user with the CPU's libraries.
      const wrapper = path.join(work, `node-${a.name}`, 'node');
      await mkdir(path.dirname(wrapper));
      const script = `#!/bin/sh\nexec ${a.qemu} -L ${a.sysroot} ${nodeBinary(a.build)} "$@"\n`;
      await writeFile(wrapper, script, { mode: 0o755 });
      const env = { npm_config_cpu: a.cpu, npm_config_os: 'linux', npm_config_libc: 'glibc' };
      const samples = await serverSamples(await installAndRun(a.name, wrapper, env));
      expect(samples.map((s) => s.label)).toEqual(x64.map((s) => s.label));
      const worst = Math.max(...samples.map((s, i) => maxAbsDiff(s.features, x64[i]?.features)));
      console.log(`${a.name}: ${samples.length} drift samples, max |feature - x64| = ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(FEATURE_TOLERANCE);
    }, 900_000);
  }

  /** Installs the release for one CPU under work/<name>, runs it and checks it enrolled; its device id. */
  async function installAndRun(name: string, node: string, env: Record<string, string>): Promise<string> {
    const root = path.join(work, name);
    const t0 = Date.now();
    expect(installRelease(root, tarball, { node, env })).toMatch(/tinylcm-device [\d.]+ installed/);
    const config = path.join(root, 'device.json');
    await writeFile(config, JSON.stringify(deviceConfig(root), null, 2));
    const t1 = Date.now();
    const nodeDir = path.dirname(node);
    const run = await runInstalled(root, nodeDir, ['run', '-c', config, '--frames', String(FRAMES)]);
    expect(`${run.stdout}\n${run.stderr}`).toContain(`stopped after ${FRAMES} frames`);
    expect(run.code).toBe(0);
    const t2 = Date.now();
    const status = await runInstalled(root, nodeDir, ['status', '-c', config, '--json']);
    const deviceId = (JSON.parse(status.stdout) as { deviceId: string | null }).deviceId ?? '';
    expect(deviceId, `${name} did not enrol:\n${run.stdout}`).toMatch(/^dev_/);
    expect((await api(`/api/v1/devices/${deviceId}`)).status).toBe(200);
    if (!(await ingestedPackage(deviceId, 60))) {
      // Under qemu on a busy machine the run can end before a sync round got the drift package
      // out (the last round has 1.5 s). It waits in the outbox: a restart must deliver it.
      const pending = await runInstalled(root, nodeDir, ['status', '-c', config]);
      console.log(`${name}: nothing ingested after the run; restarting it once.\n${pending.stdout}`);
      const again = await runInstalled(root, nodeDir, ['run', '-c', config, '--frames', '1']);
      if (!(await ingestedPackage(deviceId, 120))) throw new Error(await noPackage(deviceId, run, again));
    }
    const s = (from: number, to: number) => `${((to - from) / 1000).toFixed(0)} s`;
    console.log(`${name}: install ${s(t0, t1)}, run of ${FRAMES} frames ${s(t1, t2)}`);
    return deviceId;
  }

  function deviceConfig(root: string) {
    return {
      schemaVersion: 1,
      name: `qemu-${path.basename(root)}`,
      dataDir: path.join(root, 'data'),
      model: { bundle: path.join(root, 'opt/tinylcm/current/models/fashion-mnv2') },
      source: {
        type: 'dataset',
        name: 'fashion-mnist-sample',
        scenario: 'held-out-classes',
        seed: 1,
        driftAfterFrames: 5,
      },
      inference: { intervalMs: 250 }, // leaves the 1 s sync rounds time to upload before the run ends
      drift: { samplesPerEpisode: 5 },
      server: { url: server.url, enrolmentToken: TOKEN, syncIntervalSeconds: 1 },
    };
  }

  function api(route: string): Promise<Response> {
    return fetch(`${server.url}${route}`, { headers: { authorization: `Bearer ${viewerToken}` } });
  }

  /** Ingestion runs in the server's workers after the upload is acknowledged; polls for it. */
  async function ingestedPackage(deviceId: string, seconds: number): Promise<boolean> {
    for (const end = Date.now() + seconds * 1000; Date.now() < end;) {
      const r = await api(`/api/v1/packages?deviceId=${deviceId}&status=ingested`);
      if (((await r.json()) as { items: unknown[] }).items.length > 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  }

  /** What the server holds of the device, and what its two runs printed: the failure's evidence. */
  async function noPackage(deviceId: string, ...runs: { stdout: string; stderr: string }[]): Promise<string> {
    const held = await (await api(`/api/v1/packages?deviceId=${deviceId}`)).text();
    const printed = runs.map((r) => `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).join('\n---\n');
    return `no package of ${deviceId} was acknowledged and ingested; its packages: ${held}\n${printed}`;
  }

  async function serverSamples(deviceId: string): Promise<Sample[]> {
    const r = await api(`/api/v1/drift/samples?deviceId=${deviceId}&limit=500`);
    const items = ((await r.json()) as { items: SampleSummary[] }).items;
    items.sort((a, b) => a.capturedAt.localeCompare(b.capturedAt));
    const out: Sample[] = [];
    for (const s of items) {
      const res = await api(`/api/v1/drift/samples/${deviceId}/${s.sampleId}/features`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      out.push({ label: s.predictedLabel, features: new Float32Array(bytes.buffer, 0, bytes.length / 4) });
    }
    return out;
  }
});

function maxAbsDiff(a: Float32Array, b: Float32Array | undefined): number {
  if (!b || a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}
