import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OperationalMode } from '@tinymlops/contracts';
import { createTestDatabase, readFashionMnist, type ImageSet } from '@tinymlops/testkit';
import { loadBundle, loadBundleRuntime, type ModelRuntime } from '@tinymlops/tinylcm';
import { DEFAULT_BUNDLE } from '../bundle-location.js';
import { registerBundleOnce } from '../demo/demo-setup.js';
import { deviceSchedule } from '../fleet-scenarios.js';
import { PeopleApi } from '../people-api.js';
import { SimDevice } from '../sim-device.js';
import { runTinySphere, TinySphereProcess, type TinySphereStorage } from '../tinysphere-process.js';

export const ENROLMENT_TOKEN = 'e2e-open-enrolment';

/** A database engine the end-to-end suite runs the real server on. */
export interface Engine {
  name: 'pglite' | 'postgres';
  storage(dir: string): Promise<TinySphereStorage & { drop(): Promise<void> }>;
}

/**
 * PGlite always; PostgreSQL when the test setup provides one.
 * @example
 * describe.each(engines(inject('postgresUrl')))('on $name', (engine) => { … });
 */
export function engines(postgresUrl: string): Engine[] {
  const list: Engine[] = [
    {
      name: 'pglite',
      storage: async (dir) => ({
        db: `pglite:${path.join(dir, 'db')}`,
        blobs: `file:${path.join(dir, 'blobs')}`,
        drop: async () => undefined,
      }),
    },
  ];
  if (postgresUrl)
    list.push({
      name: 'postgres',
      storage: async (dir) => {
        const t = await createTestDatabase(postgresUrl);
        return { db: t.url, blobs: `file:${path.join(dir, 'blobs')}`, drop: t.drop };
      },
    });
  return list;
}

/**
 * A real `tinysphere serve` on loopback with an admin token and the project's model registered,
 * plus what the tests need to make devices. `restart()` kills the server (SIGKILL: a crash, not a
 * clean stop) and starts it again on the same port and data.
 * @example
 * const h = await E2eHarness.start(engine);
 * const d = await h.device(0, 'held-out-class');
 */
export class E2eHarness {
  readonly devices: SimDevice[] = [];
  /** The devices' clock runs this far ahead of the wall clock (see {@link drain}). */
  skewMs = 0;
  readonly now = () => Date.now() + this.skewMs;

  private constructor(
    readonly dir: string,
    readonly storage: TinySphereStorage & { drop(): Promise<void> },
    public server: TinySphereProcess,
    readonly api: PeopleApi,
    readonly set: ImageSet,
    readonly runtime: ModelRuntime,
    private readonly serverEnv: Record<string, string> = {},
  ) {}

  /** `serverEnv`: extra environment of the server process (the MLflow loop passes MLflow's). */
  static async start(engine: Engine, serverEnv: Record<string, string> = {}): Promise<E2eHarness> {
    const dir = await mkdtemp(path.join(tmpdir(), `fleet-e2e-${engine.name}-`));
    const storage = await engine.storage(dir);
    const store = ['--db', storage.db, '--blobs', storage.blobs];
    // PGlite belongs to one process: the admin command runs before the server starts.
    const out = await runTinySphere(['admin', 'create-token', '--role', 'admin', '--name', 'e2e', ...store]);
    const { apiToken } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { apiToken: string };
    const server = await TinySphereProcess.start({
      ...storage,
      port: 0,
      demoEnrolmentToken: ENROLMENT_TOKEN,
      logFile: path.join(dir, 'server.log'),
      env: serverEnv,
    });
    const api = new PeopleApi(server.url, apiToken);
    await registerBundleOnce(api, DEFAULT_BUNDLE);
    const runtime = await loadBundleRuntime(await loadBundle(DEFAULT_BUNDLE));
    return new E2eHarness(dir, storage, server, api, await readFashionMnist(), runtime, serverEnv);
  }

  /** A device playing `scenario` for `frames` frames with drift episodes `[from, to)`. */
  async device(
    index: number,
    scenario: 'held-out-class' | 'no-drift',
    o: { frames: number; episodes?: [number, number][]; mode?: OperationalMode },
  ): Promise<SimDevice> {
    const schedule = deviceSchedule(scenario, index, 7, o.frames);
    if (o.episodes) schedule.episodes = o.episodes.map(([start, end]) => ({ start, end }));
    const d = await SimDevice.open({
      index,
      dataDir: this.dir,
      bundleDir: DEFAULT_BUNDLE,
      serverUrl: this.server.url,
      enrolmentToken: ENROLMENT_TOKEN,
      schedule,
      faults: {},
      set: this.set,
      frames: o.frames,
      runtime: this.runtime,
      now: this.now,
      ...(o.mode ? { mode: o.mode } : {}),
    });
    this.devices.push(d);
    return d;
  }

  /** Crashes the server and starts it again on the same port and data. */
  async restart(): Promise<void> {
    await this.server.kill();
    this.server = await TinySphereProcess.start({
      ...this.storage,
      port: this.server.port,
      demoEnrolmentToken: ENROLMENT_TOKEN,
      logFile: path.join(this.dir, 'server.log'),
      env: this.serverEnv,
    });
  }

  async close(): Promise<void> {
    for (const d of this.devices) await d.close();
    this.runtime.dispose();
    await this.server.stop();
    await this.storage.drop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs the device's remaining frames, with a sync round every `syncEvery` frames (explicit rounds,
 * no timers: the test decides when the device talks to the server).
 */
export async function playFrames(d: SimDevice, frames: number, syncEvery = 40): Promise<void> {
  for (let i = 1; i <= frames; i++) {
    if (!(await d.step())) break;
    if (i % syncEvery === 0) await d.syncOnce();
  }
}

/**
 * Sync rounds until a round succeeds with an empty outbox (bounded). After a failed or skipped
 * round the devices' clock jumps 6 minutes, past the longest backoff delay, instead of waiting.
 */
export async function drain(h: E2eHarness, d: SimDevice, maxRounds = 30): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    const r = await d.syncOnce();
    if (r?.ran && !r.error && d.device.outbox.stats().packages === 0) return;
    if (!r?.ran || r.error) h.skewMs += 6 * 60_000;
  }
  throw new Error(
    `device ${d.o.index} still has ${d.device.outbox.stats().packages} packages after ${maxRounds} rounds (last error: ${d.lastRound?.error})`,
  );
}
